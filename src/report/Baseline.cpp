// Fingerprints and baseline files (JSON through llvm::json).
#include "report/Baseline.h"

#include <llvm/ADT/StringExtras.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/SHA1.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <map>

#include "report/SourceLines.h"

namespace forksafe {
namespace {

constexpr int kBaselineVersion = 1;

llvm::Error error(const llvm::Twine& what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), what);
}

std::string relativeTo(const std::string& root, const std::string& file) {
  llvm::StringRef f(file);
  if (!root.empty() && f.starts_with(root) && f.size() > root.size() && f[root.size()] == '/')
    return f.drop_front(root.size() + 1).str();
  return file;
}

}  // namespace

std::string projectRoot(const std::string& dir) {
  for (llvm::StringRef at = dir; !at.empty(); at = llvm::sys::path::parent_path(at)) {
    llvm::SmallString<256> git(at);
    llvm::sys::path::append(git, ".git");
    if (llvm::sys::fs::exists(git)) return at.str();
    if (llvm::sys::path::parent_path(at) == at) break;
  }
  return dir;
}

void assignFingerprints(std::vector<Finding>& findings, const std::string& root) {
  SourceLines lines;
  std::vector<size_t> order(findings.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return findings[a].loc < findings[b].loc; });
  std::map<std::string, unsigned> seen;
  for (size_t i : order) {
    Finding& f = findings[i];
    std::string text;
    for (char c : lines.line(f.loc.file, f.loc.line))
      if (!llvm::isSpace(c)) text += c;
    llvm::SHA1 sha;
    for (const std::string& part :
         {f.rule, f.mangled.empty() ? f.symbol : f.mangled, relativeTo(root, f.loc.file), text}) {
      sha.update(part);
      sha.update(llvm::StringRef("\0", 1));
    }
    std::string print = llvm::toHex(sha.final(), /*LowerCase=*/true).substr(0, 32);
    unsigned n = ++seen[print];
    f.fingerprint = n == 1 ? print : print + "#" + std::to_string(n);
  }
}

llvm::Expected<std::set<std::string>> readBaseline(const std::string& path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) return error("cannot read baseline '" + path + "': " + buffer.getError().message());
  auto doc = llvm::json::parse((*buffer)->getBuffer());
  if (!doc) return error("invalid baseline '" + path + "': " + llvm::toString(doc.takeError()));
  const llvm::json::Object* root = doc->getAsObject();
  std::optional<int64_t> version = root ? root->getInteger("version") : std::nullopt;
  if (!version)
    return error("invalid baseline '" + path +
                 "': expected an object with \"version\" and \"findings\" (see --write-baseline)");
  if (*version != kBaselineVersion)
    return error("invalid baseline '" + path + "': version " + std::to_string(*version) +
                 " is not supported (expected " + std::to_string(kBaselineVersion) + ")");
  const llvm::json::Array* findings = root->getArray("findings");
  if (!findings) return error("invalid baseline '" + path + "': no \"findings\" array");
  std::set<std::string> out;
  for (size_t i = 0; i < findings->size(); ++i) {
    const llvm::json::Object* f = (*findings)[i].getAsObject();
    std::optional<llvm::StringRef> print = f ? f->getString("fingerprint") : std::nullopt;
    if (!print || print->empty())
      return error("invalid baseline '" + path + "': findings[" + std::to_string(i) +
                   "] has no \"fingerprint\" string");
    out.insert(print->str());
  }
  return out;
}

llvm::Error writeBaseline(const std::vector<Finding>& findings, const std::string& root,
                          const std::string& toolVersion, const std::string& path) {
  std::vector<const Finding*> sorted;
  for (const Finding& f : findings) sorted.push_back(&f);
  std::stable_sort(sorted.begin(), sorted.end(), [&](const Finding* a, const Finding* b) {
    return std::tie(a->loc, a->rule) < std::tie(b->loc, b->rule);
  });
  llvm::json::Array entries;
  for (const Finding* f : sorted)
    entries.push_back(llvm::json::Object{{"fingerprint", f->fingerprint},
                                         {"rule", f->rule},
                                         {"symbol", f->symbol},
                                         {"file", relativeTo(root, f->loc.file)},
                                         {"line", f->loc.line},
                                         {"message", f->message}});
  llvm::json::Value doc = llvm::json::Object{{"version", kBaselineVersion},
                                             {"tool", "forksafe-check " + toolVersion},
                                             {"findings", std::move(entries)}};
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_Text);
  if (ec) return error("cannot write baseline '" + path + "': " + ec.message());
  out << llvm::formatv("{0:2}", doc) << '\n';
  out.close();
  if (out.has_error()) {
    out.clear_error();
    return error("cannot write baseline '" + path + "'");
  }
  return llvm::Error::success();
}

}  // namespace forksafe
