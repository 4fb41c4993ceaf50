// forksafe-check's command line: parse the options, run the analysis, write the report in the
// chosen format and summarise it on stderr.
#include "CheckTool.h"

#include <llvm/Config/llvm-config.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Process.h>

#include <memory>

#include "CommandLine.h"
#include "driver/Analysis.h"
#include "report/Emitters.h"

namespace forksafe {
namespace {

std::string currentDir() {
  llvm::SmallString<256> cwd;
  llvm::sys::fs::current_path(cwd);
  return std::string(cwd);
}

// Writes the report to --output or `stdoutStream`; false after reporting a write error.
bool emit(const Options& options, const Analysis& analysis, const Report& report,
          llvm::raw_ostream& stdoutStream, llvm::raw_ostream& err) {
  std::unique_ptr<llvm::raw_fd_ostream> file;
  llvm::raw_ostream* out = &stdoutStream;
  if (!options.output.empty()) {
    std::error_code ec;
    file = std::make_unique<llvm::raw_fd_ostream>(options.output, ec);
    if (ec) {
      err << "forksafe-check: error: cannot write '" << options.output << "': " << ec.message()
          << "\n";
      return false;
    }
    out = file.get();
  }
  if (options.format == "json") {
    emitJson(report, *out);
  } else if (options.format == "sarif") {
    emitSarif(report, analysis.rules(), currentDir(), FORKSAFE_VERSION, *out);
  } else {
    bool color = !file && out->is_displayed() && !llvm::sys::Process::GetEnv("NO_COLOR");
    emitText(report, *out, color);
  }
  if (file && file->has_error()) {
    file->clear_error();
    err << "forksafe-check: error: cannot write '" << options.output << "'\n";
    return false;
  }
  return true;
}

void summarize(const Report& report, const AnalysisStats& stats, llvm::raw_ostream& err) {
  size_t errors = 0, warnings = 0;
  for (const Finding& f : report.findings) (f.severity == Severity::Error ? errors : warnings)++;
  err << "forksafe-check: " << stats.checked << " file(s) checked";
  if (stats.cached && stats.fromBuild)
    err << " (" << stats.cached << " from cache, " << stats.fromBuild << " from build facts)";
  else if (stats.cached)
    err << " (" << stats.cached << " from cache)";
  else if (stats.fromBuild)
    err << " (" << stats.fromBuild << " from build facts)";
  err << ": " << errors << " error(s), " << warnings << " warning(s)";
  if (stats.suppressed) err << ", " << stats.suppressed << " suppressed by NOLINT";
  if (stats.library) err << ", " << stats.library << " in library code not shown";
  if (!report.errors.empty())
    err << "; " << report.errors.size() << " problem(s) prevented checking";
  err << "\n";
}

}  // namespace

int runCheckTool(int argc, const char* const* argv, llvm::raw_ostream& out,
                 llvm::raw_ostream& err) {
  Options options;
  if (int status = parseOptions(argc, argv, options, out, err); status >= 0) return status;
  if (options.version) {
    out << "forksafe-check " << FORKSAFE_VERSION << " (LLVM " << LLVM_VERSION_STRING << ")\n";
    return 0;
  }
  Analysis analysis(options, err, argc > 0 ? argv[0] : "forksafe-check");
  if (options.listChecks) return analysis.listChecks(out);
  std::optional<Report> report = analysis.run();
  if (!report) return 2;
  if (!emit(options, analysis, *report, out, err)) return 2;
  if (!options.quiet) summarize(*report, analysis.stats(), err);
  if (!report->errors.empty()) return 2;
  for (const Finding& f : report->findings)
    if (f.severity == Severity::Error) return 1;
  return 0;
}

}  // namespace forksafe
