// forksafe-check's command line: parse the options, run the analysis, write the report in the
// chosen format and summarise it on stderr.
#include "CheckTool.h"

#include <llvm/Config/llvm-config.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Process.h>

#include <memory>

#include "CommandLine.h"
#include "driver/Analysis.h"
#include "driver/Paths.h"
#include "lsp/Server.h"
#include "report/Emitters.h"
#include "report/Fixes.h"

namespace forksafe {
namespace {

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

// --export-fixes and --fix, after the report: what a finding offers is in Finding::fixes. False
// after reporting a problem on `err`.
bool exportAndApplyFixes(const Options& options, const Report& report, llvm::raw_ostream& err) {
  bool ok = true;
  if (!options.exportFixes.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream file(options.exportFixes, ec);
    if (ec) {
      err << "forksafe-check: error: cannot write '" << options.exportFixes << "': " << ec.message()
          << "\n";
      return false;
    }
    std::string main =
        options.sources.empty() ? std::string() : absolutePath(options.sources.front());
    exportFixes(report.findings, options.fixNotes, main,
                options.buildPath.empty() ? currentDir() : absolutePath(options.buildPath), file);
    if (file.has_error()) {
      file.clear_error();
      err << "forksafe-check: error: cannot write '" << options.exportFixes << "'\n";
      return false;
    }
  }
  if (!options.fix && !options.fixErrors) return ok;
  if (!report.errors.empty() && !options.fixErrors) {
    err << "forksafe-check: fixes not applied: " << report.errors.size()
        << " problem(s) prevented checking (--fix-errors applies them anyway)\n";
    return ok;
  }
  FixResult result = applyFixes(report.findings, options.fixNotes);
  for (const std::string& problem : result.problems) {
    err << "forksafe-check: error: " << problem << "\n";
    ok = false;
  }
  if (!options.quiet)
    err << "forksafe-check: applied " << result.applied << " of " << result.suggested
        << " suggested fix(es) in " << result.files.size() << " file(s)\n";
  return ok;
}

void summarize(const Report& report, const AnalysisStats& stats, bool changedLines,
               llvm::raw_ostream& err) {
  size_t errors = 0, warnings = 0;
  for (const Finding& f : report.findings) (f.severity == Severity::Error ? errors : warnings)++;
  // Where the facts came from, when not all were parsed now.
  std::string from;
  if (stats.cached) from += ", " + std::to_string(stats.cached) + " from cache";
  if (stats.fromBuild) from += ", " + std::to_string(stats.fromBuild) + " from build facts";
  if (stats.reported)
    err << "forksafe-check: " << stats.reported
        << " file(s) checked (whole program: " << stats.checked << " file(s)" << from << ")";
  else
    err << "forksafe-check: " << stats.checked << " file(s) checked"
        << (from.empty() ? "" : " (" + from.substr(2) + ")");
  err << ": " << errors << " error(s), " << warnings << " warning(s)";
  if (stats.suppressed) err << ", " << stats.suppressed << " suppressed by NOLINT";
  if (stats.library) err << ", " << stats.library << " in library code not shown";
  if (stats.inBaseline) err << ", " << stats.inBaseline << " in the baseline not shown";
  if (changedLines && stats.outOfScope)
    err << ", " << stats.outOfScope << " not on changed lines not shown";
  if (!report.errors.empty())
    err << "; " << report.errors.size() << " problem(s) prevented checking";
  err << "\n";
}

// --lsp: the editor names the files; the command line's settings apply to every analysis.
int serveLanguageServer(const Options& options, const char* argv0, llvm::raw_ostream& out,
                        llvm::raw_ostream& err) {
  if (!options.sources.empty() || options.hasCompilerArgs || options.listChecks ||
      !options.output.empty()) {
    err << "forksafe-check: error: --lsp takes no source files, '--', --list-checks or -o: the "
           "editor says which files to check\n";
    return 2;
  }
  lsp::ServerOptions server;
  server.version = FORKSAFE_VERSION;
  server.workspace.check = options;
  server.workspace.argv0 = argv0;
  // -p names the database as --compile-commands-dir does.
  std::string dir =
      !options.compileCommandsDir.empty() ? options.compileCommandsDir : options.buildPath;
  if (!dir.empty()) {
    std::string absolute = absolutePath(dir);
    llvm::SmallString<256> json(absolute);
    llvm::sys::path::append(json, "compile_commands.json");
    if (!llvm::sys::fs::is_regular_file(json)) {
      err << "forksafe-check: error: cannot load compilation database: '" << json
          << "' does not exist\n";
      return 2;
    }
    server.workspace.compileCommandsDir = absolute;
  }
  return lsp::runServer(server, /*input=*/0, out, err);
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
  const char* argv0 = argc > 0 ? argv[0] : "forksafe-check";
  if (options.lsp) return serveLanguageServer(options, argv0, out, err);
  if (!options.compileCommandsDir.empty()) {
    err << "forksafe-check: error: --compile-commands-dir is for --lsp; use -p <build-dir>\n";
    return 2;
  }
  Analysis analysis(options, err, argv0);
  if (options.listChecks) return analysis.listChecks(out);
  std::optional<Report> report = analysis.run();
  if (!report) return 2;
  if (!emit(options, analysis, *report, out, err)) return 2;
  if (!options.quiet)
    summarize(*report, analysis.stats(), !options.diff.empty() || !options.lineFilter.empty(), err);
  if (!exportAndApplyFixes(options, *report, err)) return 2;
  if (!report->errors.empty()) return 2;
  if (!options.writeBaseline.empty()) return 0;  // what is there is accepted
  for (const Finding& f : report->findings)
    if (f.severity == Severity::Error) return 1;
  return 0;
}

}  // namespace forksafe
