// SARIF 2.1.0 for code-scanning services, written with llvm::json: rules with help and helpUri,
// the tool version, one invocation with a notification per file that could not be checked,
// artifacts built from every URI the run uses (so indexes always match), URIs relative to
// %SRCROOT%, columns in Unicode code points, and partialFingerprints from Baseline.h.
#include <llvm/ADT/StringExtras.h>
#include <llvm/Support/JSON.h>

#include <map>

#include "report/DocsUrl.h"
#include "report/Emitters.h"
#include "report/SourceLines.h"

namespace forksafe {
namespace {

constexpr const char* kFingerprintKey = "forksafeFingerprint/v2";

// RFC 3986: everything but unreserved characters and '/' is percent-encoded.
std::string uriEscape(llvm::StringRef path) {
  std::string out;
  for (unsigned char c : path) {
    if (llvm::isAlnum(c) || llvm::StringRef("-._~/").contains(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += llvm::hexdigit(c >> 4);
      out += llvm::hexdigit(c & 15);
    }
  }
  return out;
}

class Artifacts {
 public:
  explicit Artifacts(const std::string& baseDir) : baseDir_(baseDir) {}

  // {"uri", "uriBaseId", "index"} for a file, adding it to the artifacts on first use.
  llvm::json::Object location(const std::string& file) {
    auto [it, added] = index_.try_emplace(file, files_.size());
    if (added) files_.push_back(file);
    llvm::json::Object loc = uri(file);
    loc["index"] = static_cast<int64_t>(it->second);
    return loc;
  }

  llvm::json::Array array() const {
    llvm::json::Array out;
    for (const std::string& file : files_)
      out.push_back(llvm::json::Object{{"location", uri(file)}});
    return out;
  }

 private:
  llvm::json::Object uri(const std::string& file) const {
    llvm::StringRef f(file);
    if (f.starts_with(baseDir_ + "/"))
      return llvm::json::Object{{"uri", uriEscape(f.drop_front(baseDir_.size() + 1))},
                                {"uriBaseId", "%SRCROOT%"}};
    return llvm::json::Object{{"uri", "file://" + uriEscape(f)}};
  }

  std::string baseDir_;
  std::map<std::string, size_t> index_;
  std::vector<std::string> files_;
};

class Writer {
 public:
  explicit Writer(const std::string& baseDir) : artifacts_(baseDir) {}

  llvm::json::Object physical(const Location& loc) {
    llvm::json::Object region{{"startLine", loc.line}};
    if (loc.column) {
      // A code point starts at every byte that is not a UTF-8 continuation byte.
      llvm::StringRef text = lines_.line(loc.file, loc.line);
      unsigned column = loc.column;
      if (!text.empty()) {
        column = 1;
        for (size_t i = 0; i + 1 < loc.column && i < text.size(); ++i)
          column += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
      }
      region["startColumn"] = column;
    }
    return llvm::json::Object{{"artifactLocation", artifacts_.location(loc.file)},
                              {"region", std::move(region)}};
  }
  llvm::json::Object artifact(const std::string& file) { return artifacts_.location(file); }
  llvm::json::Array artifacts() const { return artifacts_.array(); }

 private:
  Artifacts artifacts_;
  SourceLines lines_;
};

}  // namespace

void emitSarif(const Report& report, const std::vector<RuleInfo>& rules, const std::string& baseDir,
               const std::string& toolVersion, llvm::raw_ostream& out) {
  Writer writer(baseDir);
  llvm::json::Array ruleArray;
  std::map<std::string, size_t> ruleIndex;
  for (const RuleInfo& rule : rules) {
    ruleIndex[rule.id] = ruleArray.size();
    ruleArray.push_back(llvm::json::Object{
        {"id", rule.id},
        {"name", rule.id},
        {"shortDescription", llvm::json::Object{{"text", rule.summary}}},
        {"fullDescription", llvm::json::Object{{"text", rule.summary}}},
        {"help", llvm::json::Object{{"text", rule.help}}},
        {"helpUri", ruleDocUrl(rule.id)},
        {"defaultConfiguration", llvm::json::Object{{"level", severityName(rule.severity)}}}});
  }

  llvm::json::Array results;
  for (const Finding& f : report.findings) {
    llvm::json::Object result{{"ruleId", f.rule},
                              {"level", severityName(f.severity)},
                              {"message", llvm::json::Object{{"text", f.message}}}};
    if (auto idx = ruleIndex.find(f.rule); idx != ruleIndex.end())
      result["ruleIndex"] = static_cast<int64_t>(idx->second);
    if (f.loc.valid())
      result["locations"] =
          llvm::json::Array{llvm::json::Object{{"physicalLocation", writer.physical(f.loc)}}};
    llvm::json::Array flow;
    for (const Note& n : f.notes) {
      if (!n.loc.valid()) continue;
      flow.push_back(llvm::json::Object{
          {"location", llvm::json::Object{{"physicalLocation", writer.physical(n.loc)},
                                          {"message", llvm::json::Object{{"text", n.message}}}}},
          {"importance", "important"}});
    }
    if (!flow.empty())
      result["codeFlows"] = llvm::json::Array{llvm::json::Object{
          {"threadFlows", llvm::json::Array{llvm::json::Object{{"locations", std::move(flow)}}}}}};
    if (!f.fingerprint.empty())
      result["partialFingerprints"] = llvm::json::Object{{kFingerprintKey, f.fingerprint}};
    results.push_back(std::move(result));
  }

  // One notification per file that could not be checked (an error: the run is not successful)
  // and per file outside the report whose facts are missing (a warning).
  llvm::json::Array notifications;
  auto notify = [&](const RunError& e, const char* lvl) {
    llvm::json::Object n{{"level", lvl}, {"message", llvm::json::Object{{"text", e.message}}}};
    if (!e.file.empty())
      n["locations"] = llvm::json::Array{llvm::json::Object{
          {"physicalLocation", llvm::json::Object{{"artifactLocation", writer.artifact(e.file)}}}}};
    notifications.push_back(std::move(n));
  };
  for (const RunError& e : report.errors) notify(e, "error");
  for (const RunError& e : report.notices) notify(e, "warning");
  llvm::json::Object invocation{{"executionSuccessful", report.errors.empty()}};
  if (!notifications.empty()) invocation["toolExecutionNotifications"] = std::move(notifications);

  llvm::json::Object driver{{"name", "forksafe-check"},
                            {"fullName", "forksafe-check " + toolVersion},
                            {"version", toolVersion},
                            {"semanticVersion", toolVersion},
                            {"informationUri", std::string(kDocsBaseUrl) + "docs/checker.md"},
                            {"rules", std::move(ruleArray)}};
  llvm::json::Object run{
      {"tool", llvm::json::Object{{"driver", std::move(driver)}}},
      {"columnKind", "unicodeCodePoints"},
      {"originalUriBaseIds",
       llvm::json::Object{
           {"%SRCROOT%", llvm::json::Object{{"uri", "file://" + uriEscape(baseDir) + "/"}}}}},
      {"invocations", llvm::json::Array{std::move(invocation)}},
      {"artifacts", writer.artifacts()},
      {"results", std::move(results)}};
  llvm::json::Value doc =
      llvm::json::Object{{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                         {"version", "2.1.0"},
                         {"runs", llvm::json::Array{std::move(run)}}};
  out << llvm::formatv("{0:2}", doc) << '\n';
  out.flush();
}

}  // namespace forksafe
