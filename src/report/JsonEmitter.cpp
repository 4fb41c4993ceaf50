// The JSON report (schema version 1), the format forksafe-serve --verify reads.
#include <llvm/Support/JSON.h>

#include "report/Emitters.h"

namespace forksafe {

void emitJson(const Report& report, llvm::raw_ostream& out) {
  llvm::json::Array findings;
  for (const Finding& f : report.findings) {
    llvm::json::Array notes;
    for (const Note& n : f.notes)
      notes.push_back(llvm::json::Object{{"file", n.loc.file},
                                         {"line", n.loc.line},
                                         {"column", n.loc.column},
                                         {"message", n.message}});
    findings.push_back(llvm::json::Object{{"rule", f.rule},
                                          {"severity", severityName(f.severity)},
                                          {"file", f.loc.file},
                                          {"line", f.loc.line},
                                          {"column", f.loc.column},
                                          {"symbol", f.symbol},
                                          {"mangled", f.mangled},
                                          {"message", f.message},
                                          {"fingerprint", f.fingerprint},
                                          {"notes", std::move(notes)}});
  }
  llvm::json::Array errors;
  for (const RunError& e : report.errors)
    errors.push_back(llvm::json::Object{{"file", e.file}, {"message", e.message}});
  llvm::json::Array notices;
  for (const RunError& e : report.notices)
    notices.push_back(llvm::json::Object{{"file", e.file}, {"message", e.message}});
  llvm::json::Value doc = llvm::json::Object{{"version", 1},
                                             {"findings", std::move(findings)},
                                             {"errors", std::move(errors)},
                                             {"notices", std::move(notices)}};
  out << llvm::formatv("{0:2}", doc) << '\n';
  out.flush();
}

}  // namespace forksafe
