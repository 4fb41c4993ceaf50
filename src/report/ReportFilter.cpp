// Report filters: anchors of a finding, file and line scopes, and baseline fingerprints.
#include "report/ReportFilter.h"

#include <llvm/Support/Path.h>

#include <algorithm>

namespace forksafe {

std::vector<Location> anchors(const Finding& f) {
  std::vector<Location> out;
  out.push_back(f.loc);
  out.insert(out.end(), f.sites.begin(), f.sites.end());
  for (const Note& n : f.notes) out.insert(out.end(), n.calls.begin(), n.calls.end());
  out.erase(std::remove_if(out.begin(), out.end(), [](const Location& l) { return !l.valid(); }),
            out.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

ReportFilter::FileScope& ReportFilter::scope(const std::string& file) {
  restricted_ = true;
  for (FileScope& s : files_)
    if (s.name == file) return s;
  files_.push_back(FileScope{file, false, {}});
  return files_.back();
}

void ReportFilter::addFile(const std::string& file) { scope(file).whole = true; }

void ReportFilter::addLines(const std::string& file, unsigned first, unsigned last) {
  if (first > last) std::swap(first, last);
  scope(file).lines.emplace_back(first, last);
}

void ReportFilter::excludeFingerprints(std::set<std::string> fingerprints) {
  baseline_.insert(fingerprints.begin(), fingerprints.end());
}

namespace {

bool sameFile(llvm::StringRef name, llvm::StringRef path) {
  if (llvm::sys::path::is_absolute(name)) return name == path;
  llvm::StringRef rel = name;
  while (rel.consume_front("./")) {
  }
  return path.size() > rel.size() && path.ends_with(rel) &&
         path[path.size() - rel.size() - 1] == '/';
}

}  // namespace

bool ReportFilter::covers(const Location& loc) const {
  if (!restricted_) return true;
  for (const FileScope& s : files_) {
    if (!sameFile(s.name, loc.file)) continue;
    if (s.whole) return true;
    for (const auto& [first, last] : s.lines)
      if (first <= loc.line && loc.line <= last) return true;
  }
  return false;
}

bool ReportFilter::inScope(const Finding& f) const {
  if (!restricted_) return true;
  for (const Location& l : anchors(f))
    if (covers(l)) return true;
  return false;
}

}  // namespace forksafe
