// SARIF 2.1.0 through clang's SarifDocumentWriter, then adjusted for code-scanning services:
// rule help text, partialFingerprints, and URIs relative to %SRCROOT%.
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/DiagnosticOptions.h>
#include <clang/Basic/FileManager.h>
#include <clang/Basic/Sarif.h>
#include <clang/Basic/SourceManager.h>
#include <llvm/ADT/StringExtras.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/SHA1.h>

#include <map>
#include <optional>

#include "report/Emitters.h"

namespace forksafe {
namespace {

// Maps report locations into a SourceManager of its own, which is what the writer consumes.
class Locator {
 public:
  Locator()
      : files_(clang::FileSystemOptions()),
        diags_(llvm::makeIntrusiveRefCnt<clang::DiagnosticIDs>(), new clang::DiagnosticOptions,
               new clang::IgnoringDiagConsumer()),
        sm_(diags_, files_) {}

  const clang::SourceManager& sourceManager() const { return sm_; }

  std::optional<clang::CharSourceRange> range(const Location& loc) {
    if (!loc.valid()) return std::nullopt;
    auto known = ids_.find(loc.file);
    if (known == ids_.end()) {
      clang::FileID id;
      if (auto ref = files_.getOptionalFileRef(loc.file))
        id = sm_.getOrCreateFileID(*ref, clang::SrcMgr::C_User);
      known = ids_.emplace(loc.file, id).first;
    }
    if (known->second.isInvalid()) return std::nullopt;
    clang::SourceLocation begin = sm_.translateLineCol(known->second, loc.line, loc.column);
    return clang::CharSourceRange::getCharRange(begin, begin.getLocWithOffset(1));
  }

 private:
  clang::FileManager files_;
  clang::DiagnosticsEngine diags_;
  clang::SourceManager sm_;
  std::map<std::string, clang::FileID> ids_;
};

std::string percentDecode(llvm::StringRef s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned value;
    if (s[i] == '%' && i + 2 < s.size() && !s.substr(i + 1, 2).getAsInteger(16, value)) {
      out += static_cast<char>(value);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Rewrites file:// URIs under baseDir to relative URIs with uriBaseId %SRCROOT%.
void relativize(llvm::json::Value& value, const std::string& baseDir) {
  if (auto* obj = value.getAsObject()) {
    if (auto uri = obj->getString("uri"); uri && uri->starts_with("file://")) {
      std::string path = percentDecode(uri->drop_front(7));
      if (llvm::StringRef(path).starts_with(baseDir + "/")) {
        (*obj)["uri"] = path.substr(baseDir.size() + 1);
        (*obj)["uriBaseId"] = "%SRCROOT%";
      }
    }
    for (auto& kv : *obj) relativize(kv.second, baseDir);
  } else if (auto* arr = value.getAsArray()) {
    for (auto& item : *arr) relativize(item, baseDir);
  }
}

std::string fingerprint(const Finding& f, const std::string& baseDir) {
  llvm::StringRef file(f.loc.file);
  if (file.starts_with(baseDir + "/")) file = file.drop_front(baseDir.size() + 1);
  llvm::SHA1 sha;
  sha.update(f.rule);
  sha.update("\n");
  sha.update(file);
  sha.update("\n");
  sha.update(f.symbol.empty() ? std::to_string(f.loc.line) : f.symbol);
  auto digest = sha.final();
  return llvm::toHex(digest, /*LowerCase=*/true);
}

}  // namespace

void emitSarif(const Report& report, const std::vector<RuleInfo>& rules, const std::string& baseDir,
               const std::string& toolVersion, llvm::raw_ostream& out) {
  Locator locator;
  clang::SarifDocumentWriter writer(locator.sourceManager());
  writer.createRun("forksafe-check", "forksafe-check", toolVersion);
  std::map<std::string, size_t> ruleIndex;
  for (const RuleInfo& rule : rules) {
    auto level = rule.severity == Severity::Error ? clang::SarifResultLevel::Error
                                                  : clang::SarifResultLevel::Warning;
    ruleIndex[rule.id] = writer.createRule(
        clang::SarifRule::create()
            .setRuleId(rule.id)
            .setName(rule.id)
            .setDescription(rule.summary)
            .setDefaultConfiguration(clang::SarifReportingConfiguration::create().setLevel(level)));
  }
  std::vector<std::string> fingerprints;
  for (const Finding& f : report.findings) {
    auto idx = ruleIndex.find(f.rule);
    if (idx == ruleIndex.end()) continue;
    llvm::SmallVector<clang::CharSourceRange, 1> where;
    if (auto r = locator.range(f.loc)) where.push_back(*r);
    llvm::SmallVector<clang::ThreadFlow, 8> flow;
    for (const Note& n : f.notes)
      if (auto r = locator.range(n.loc))
        flow.push_back(clang::ThreadFlow::create()
                           .setRange(*r)
                           .setImportance(clang::ThreadFlowImportance::Important)
                           .setMessage(n.message));
    auto result =
        clang::SarifResult::create(idx->second)
            .setRuleId(f.rule)
            .setDiagnosticMessage(f.message)
            .setDiagnosticLevel(f.severity == Severity::Error ? clang::SarifResultLevel::Error
                                                              : clang::SarifResultLevel::Warning)
            .setLocations(where);
    if (!flow.empty()) result = result.setThreadFlows(flow);
    writer.appendResult(result);
    fingerprints.push_back(fingerprint(f, baseDir));
  }
  writer.endRun();
  llvm::json::Value doc(writer.createDocument());

  // What the writer does not model: help text, fingerprints, the source root.
  if (auto* runs = doc.getAsObject()->getArray("runs"); runs && !runs->empty()) {
    llvm::json::Object& run = *(*runs)[0].getAsObject();
    if (auto* driver =
            run.getObject("tool") ? run.getObject("tool")->getObject("driver") : nullptr) {
      if (auto* ruleArray = driver->getArray("rules")) {
        for (size_t i = 0; i < ruleArray->size() && i < rules.size(); ++i) {
          llvm::json::Object& r = *(*ruleArray)[i].getAsObject();
          r["help"] = llvm::json::Object{{"text", rules[i].help}};
          r["shortDescription"] = llvm::json::Object{{"text", rules[i].summary}};
        }
      }
    }
    if (auto* results = run.getArray("results")) {
      for (size_t i = 0; i < results->size() && i < fingerprints.size(); ++i)
        (*(*results)[i].getAsObject())["partialFingerprints"] =
            llvm::json::Object{{"forksafeFingerprint/v1", fingerprints[i]}};
    }
    llvm::json::Value runValue(std::move(run));
    relativize(runValue, baseDir);
    run = std::move(*runValue.getAsObject());
    run["originalUriBaseIds"] =
        llvm::json::Object{{"%SRCROOT%", llvm::json::Object{{"uri", "file://" + baseDir + "/"}}}};
  }
  out << llvm::formatv("{0:2}", doc) << '\n';
  out.flush();
}

}  // namespace forksafe
