// Builds fixes from the offsets the facts carry (VariableFact::fix) and applies or exports them
// through clang's tooling::Replacements, as clang-tidy does.
#include "report/Fixes.h"

#include <clang/Tooling/Core/Diagnostic.h>
#include <clang/Tooling/Core/Replacement.h>
#include <clang/Tooling/DiagnosticsYaml.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/YAMLTraits.h>

#include <map>
#include <optional>
#include <set>
#include <tuple>

namespace forksafe {
namespace {

constexpr const char* kPerWorkerHeader = "#include <forksafe/annotations.hpp>\n";

clang::tooling::DiagnosticMessage messageAt(const std::string& text, const std::string& file,
                                            unsigned offset) {
  clang::tooling::DiagnosticMessage m(text);
  m.FilePath = file;
  m.FileOffset = offset;
  return m;
}

constexpr const char* kNolintPrefix = "  // NOLINT(";

std::string nolintText(const std::string& rules) {
  return kNolintPrefix + rules + "): <why this is safe>";
}

Fix nolintFix(const std::string& rule, const std::string& file, unsigned lineEnd) {
  return {"suppress with '// NOLINT(" + rule + ")' and a reason",
          {{file, lineEnd, 0, nolintText(rule)}}};
}

// The byte offset of a 1-based line and column in `text`, or -1.
long offsetIn(llvm::StringRef text, unsigned line, unsigned column) {
  size_t at = 0;
  for (unsigned l = 1; l < line; ++l) {
    at = text.find('\n', at);
    if (at == llvm::StringRef::npos) return -1;
    ++at;
  }
  return column ? static_cast<long>(at + column - 1) : static_cast<long>(at);
}

// File contents read once per run.
class Files {
 public:
  llvm::StringRef text(const std::string& file) {
    auto it = texts_.find(file);
    if (it == texts_.end()) {
      auto buffer = llvm::MemoryBuffer::getFile(file, /*IsText=*/false);
      it = texts_.emplace(file, buffer ? (*buffer)->getBuffer().str() : std::string()).first;
    }
    return it->second;
  }
  unsigned offset(const Location& loc) {
    long at = offsetIn(text(loc.file), loc.line, loc.column);
    return at < 0 ? 0 : static_cast<unsigned>(at);
  }

 private:
  std::map<std::string, std::string> texts_;
};

}  // namespace

std::vector<Fix> fixesFor(const std::string& rule, const VariableFact& var) {
  std::vector<Fix> out;
  const FixSite& site = var.fix;
  const std::string& file = var.loc.file;
  std::string shortName =
      var.name.substr(var.name.rfind("::") == std::string::npos ? 0 : var.name.rfind("::") + 2);
  if (rule == "forksafe-unsynchronized-state" && site.editable && !site.atomicType.empty()) {
    Fix atomic{"make '" + shortName + "' std::atomic<" + site.atomicType + ">", {}};
    // At the end of the last include line: never where another fix inserts (see below).
    if (!site.includesAtomic)
      atomic.replacements.push_back(
          site.includeAt ? Replacement{file, site.includeAt - 1, 0, "\n#include <atomic>"}
                         : Replacement{file, 0, 0, "#include <atomic>\n"});
    atomic.replacements.push_back({file, site.typeBegin, site.typeEnd - site.typeBegin,
                                   "std::atomic<" + site.atomicType + ">"});
    out.push_back(std::move(atomic));
  }
  if (rule == "forksafe-per-worker-state" && site.editable && !var.isPerWorker) {
    Fix mark{"mark '" + shortName + "' FORKSAFE_PER_WORKER (a per-process copy is intended)", {}};
    // On the line after the last include; one insertion when the declaration starts there.
    std::string header = site.perWorkerMacro ? "" : kPerWorkerHeader;
    if (!header.empty() && site.includeAt != site.declBegin)
      mark.replacements.push_back({file, site.includeAt, 0, header});
    mark.replacements.push_back(
        {file, site.declBegin, 0,
         (site.includeAt == site.declBegin ? header : std::string()) + "FORKSAFE_PER_WORKER "});
    out.push_back(std::move(mark));
  }
  if (site.nolint) out.push_back(nolintFix(rule, file, site.lineEnd));
  return out;
}

std::vector<Fix> nolintFixFor(const std::string& rule, const Location& loc) {
  if (!loc.valid()) return {};
  auto buffer = llvm::MemoryBuffer::getFile(loc.file, /*IsText=*/false);
  if (!buffer) return {};
  llvm::StringRef text = (*buffer)->getBuffer();
  long start = offsetIn(text, loc.line, 0);
  if (start < 0) return {};
  size_t end = text.find('\n', static_cast<size_t>(start));
  if (end == llvm::StringRef::npos) end = text.size();
  if (end > 0 && text[end - 1] == '\r') --end;
  if (end > 0 && text[end - 1] == '\\') return {};
  return {nolintFix(rule, loc.file, static_cast<unsigned>(end))};
}

bool declaresIntent(const Fix& fix) {
  for (const Replacement& r : fix.replacements)
    if (llvm::StringRef(r.text).contains("NOLINT") ||
        llvm::StringRef(r.text).contains("FORKSAFE_PER_WORKER"))
      return true;
  return false;
}

const Fix* chosenFix(const Finding& finding, bool notes) {
  for (const Fix& fix : finding.fixes)
    if (!declaresIntent(fix)) return &fix;
  if (notes && !finding.fixes.empty()) return &finding.fixes.front();
  return nullptr;
}

namespace {

// The chosen fix of every finding (empty: none), with the NOLINT comments several findings would
// add at the same line end merged into the first one: `// NOLINT(rule-a,rule-b): ...`.
std::vector<std::optional<Fix>> chooseFixes(const std::vector<Finding>& findings, bool notes) {
  std::vector<std::optional<Fix>> out;
  std::map<std::pair<std::string, unsigned>, std::pair<size_t, std::string>> nolints;
  for (const Finding& f : findings) {
    const Fix* fix = chosenFix(f, notes);
    out.push_back(fix ? std::optional<Fix>(*fix) : std::nullopt);
    if (!fix || fix->replacements.size() != 1) continue;
    const Replacement& r = fix->replacements.front();
    if (r.length != 0 || !llvm::StringRef(r.text).starts_with(kNolintPrefix)) continue;
    auto [it, first] = nolints.try_emplace({r.file, r.offset}, out.size() - 1, f.rule);
    if (first) continue;
    out.back()->replacements.clear();  // covered by the first finding's comment
    it->second.second += "," + f.rule;
    out[it->second.first]->replacements.front().text = nolintText(it->second.second);
  }
  return out;
}

}  // namespace

FixResult applyFixes(const std::vector<Finding>& findings, bool notes) {
  FixResult result;
  std::vector<std::optional<Fix>> chosen = chooseFixes(findings, notes);
  std::map<std::string, clang::tooling::Replacements> byFile;
  std::set<std::tuple<std::string, unsigned, unsigned, std::string>> seen;
  for (size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    const std::optional<Fix>& fix = chosen[i];
    if (!fix) continue;
    ++result.suggested;
    std::map<std::string, clang::tooling::Replacements> trial = byFile;
    bool ok = true;
    for (const Replacement& r : fix->replacements) {
      // Two fixes adding the same #include add it once.
      if (seen.count({r.file, r.offset, r.length, r.text})) continue;
      if (llvm::Error e =
              trial[r.file].add(clang::tooling::Replacement(r.file, r.offset, r.length, r.text))) {
        result.problems.push_back("cannot apply '" + fix->description + "' at " + f.loc.file + ":" +
                                  std::to_string(f.loc.line) + ": it overlaps another fix (" +
                                  llvm::toString(std::move(e)) + ")");
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    for (const Replacement& r : fix->replacements)
      seen.insert({r.file, r.offset, r.length, r.text});
    byFile = std::move(trial);
    ++result.applied;
  }
  for (auto& [file, replacements] : byFile) {
    auto buffer = llvm::MemoryBuffer::getFile(file, /*IsText=*/false);
    if (!buffer) {
      result.problems.push_back("cannot read '" + file + "': " + buffer.getError().message());
      continue;
    }
    auto fixed = clang::tooling::applyAllReplacements((*buffer)->getBuffer(), replacements);
    if (!fixed) {
      result.problems.push_back("cannot apply fixes to '" + file +
                                "': " + llvm::toString(fixed.takeError()));
      continue;
    }
    // Written next to the file and renamed over it: a reader never sees half a file.
    std::string temp = file + ".forksafe-fix.tmp";
    std::error_code ec;
    {
      llvm::raw_fd_ostream os(temp, ec);
      if (!ec) os << *fixed;
      if (!ec && os.has_error()) ec = os.error();
    }
    if (!ec) ec = llvm::sys::fs::rename(temp, file);
    if (ec) {
      llvm::sys::fs::remove(temp);
      result.problems.push_back("cannot write '" + file + "': " + ec.message());
      continue;
    }
    result.files.push_back(file);
  }
  return result;
}

void exportFixes(const std::vector<Finding>& findings, bool notes, const std::string& mainFile,
                 const std::string& buildDirectory, llvm::raw_ostream& out) {
  namespace tooling = clang::tooling;
  Files files;
  tooling::TranslationUnitDiagnostics tu;
  tu.MainSourceFile = mainFile;
  std::vector<std::optional<Fix>> chosen = chooseFixes(findings, notes);
  for (size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    tooling::DiagnosticMessage message = messageAt(f.message, f.loc.file, files.offset(f.loc));
    if (const std::optional<Fix>& fix = chosen[i]) {
      for (const Replacement& r : fix->replacements) {
        llvm::Error e =
            message.Fix[r.file].add(tooling::Replacement(r.file, r.offset, r.length, r.text));
        llvm::consumeError(std::move(e));  // the fix's own edits never overlap
      }
    }
    llvm::SmallVector<tooling::DiagnosticMessage, 1> noteMessages;
    for (const Note& n : f.notes)
      noteMessages.push_back(
          messageAt(n.message, n.loc.file, n.loc.valid() ? files.offset(n.loc) : 0));
    tu.Diagnostics.emplace_back(
        f.rule, message, noteMessages,
        f.severity == Severity::Error ? tooling::Diagnostic::Error : tooling::Diagnostic::Warning,
        buildDirectory);
  }
  llvm::yaml::Output yaml(out);
  yaml << tu;
}

}  // namespace forksafe
