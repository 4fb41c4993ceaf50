// Wires options, compilation databases, configuration, the frontend, the rules and the output.
#include "Driver.h"

#include "CheckRegistry.h"
#include "Config.h"
#include "Emitters.h"
#include "Frontend.h"
#include "GlobList.h"
#include "Model.h"
#include "Options.h"
#include "Suppressions.h"

#include <clang/Tooling/CompilationDatabase.h>
#include <clang/Tooling/JSONCompilationDatabase.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Process.h>
#include <llvm/Support/Regex.h>

#include <algorithm>
#include <map>
#include <memory>
#include <tuple>

#ifndef FORKSAFE_VERSION
#define FORKSAFE_VERSION "0.0.0"
#endif

namespace forksafe {
namespace {

constexpr const char* kDefaultChecks = "forksafe-*";

std::string absolute(llvm::StringRef path) {
  llvm::SmallString<256> buf(path);
  llvm::sys::fs::make_absolute(buf);
  llvm::sys::path::remove_dots(buf, true);
  return std::string(buf);
}

std::string currentDir() {
  llvm::SmallString<256> cwd;
  llvm::sys::fs::current_path(cwd);
  return std::string(cwd);
}

struct Effective {
  std::string checks;
  std::string warningsAsErrors;
  std::vector<std::string> handlerPatterns;
};

Effective effectiveSettings(const FileConfig* config, const Options& options) {
  Effective e;
  e.checks = config && config->checks ? *config->checks : kDefaultChecks;
  if (!options.checks.empty()) e.checks += "," + options.checks;
  if (config && config->warningsAsErrors) e.warningsAsErrors = *config->warningsAsErrors;
  if (!options.warningsAsErrors.empty()) e.warningsAsErrors += "," + options.warningsAsErrors;
  if (config) e.handlerPatterns = config->handlerPatterns;
  e.handlerPatterns.insert(e.handlerPatterns.end(), options.handlers.begin(),
                           options.handlers.end());
  return e;
}

// Findings from several TUs (a header's variable seen by each) become one, notes merged.
class FindingSet {
 public:
  void add(Finding f) {
    auto key = std::make_tuple(f.rule, f.loc.file, f.loc.line, f.loc.column);
    auto it = index_.find(key);
    if (it == index_.end()) {
      index_.emplace(key, findings_.size());
      findings_.push_back(std::move(f));
      return;
    }
    Finding& known = findings_[it->second];
    for (Note& n : f.notes) {
      bool seen = std::any_of(known.notes.begin(), known.notes.end(), [&](const Note& k) {
        return k.loc == n.loc && k.message == n.message;
      });
      if (!seen) known.notes.push_back(std::move(n));
    }
    if (f.severity == Severity::Error) known.severity = Severity::Error;
  }
  std::vector<Finding> take() {
    std::stable_sort(findings_.begin(), findings_.end(), [](const Finding& a, const Finding& b) {
      return std::tie(a.loc, a.rule) < std::tie(b.loc, b.rule);
    });
    return std::move(findings_);
  }

 private:
  std::vector<Finding> findings_;
  std::map<std::tuple<std::string, std::string, unsigned, unsigned>, size_t> index_;
};

class Run {
 public:
  Run(const Options& options, llvm::raw_ostream& err, const char* argv0)
      : options_(options), err_(err), checks_(allChecks()) {
    frontend_.resourceDir = findResourceDir(argv0);
    frontend_.extraArgs = options.extraArgs;
    frontend_.extraArgsBefore = options.extraArgsBefore;
  }

  int listChecks(llvm::raw_ostream& out) {
    auto config = configs_.forSource(absolute("forksafe-list-checks.cpp"));
    if (!config) return fail("", llvm::toString(config.takeError()));
    GlobList enabled(effectiveSettings(*config, options_).checks);
    out << "Enabled checks:\n";
    for (const auto& check : checks_)
      if (enabled.contains(check->id())) out << "    " << check->id() << "\n";
    out << "\n";
    return 0;
  }

  int check(llvm::raw_ostream& out) {
    for (const std::string& pattern : options_.handlers) {
      std::string why;
      if (!llvm::Regex(pattern).isValid(why))
        return fail("", "invalid --handlers regex '" + pattern + "': " + why);
    }
    std::unique_ptr<clang::tooling::CompilationDatabase> shared;
    if (options_.hasCompilerArgs) {
      shared = std::make_unique<clang::tooling::FixedCompilationDatabase>(".", options_.compilerArgs);
    } else if (!options_.buildPath.empty()) {
      std::string why;
      std::string file = absolute(options_.buildPath) + "/compile_commands.json";
      if (!llvm::sys::fs::exists(file))
        return fail("", "cannot load compilation database: '" + file + "' does not exist");
      auto db = clang::tooling::JSONCompilationDatabase::loadFromFile(
          file, why, clang::tooling::JSONCommandLineSyntax::AutoDetect);
      if (!db) return fail("", "cannot load compilation database '" + file + "': " + oneLine(why));
      shared = clang::tooling::inferMissingCompileCommands(std::move(db));
    }
    std::vector<std::string> sources = options_.sources;
    if (sources.empty() && shared && !options_.buildPath.empty()) sources = shared->getAllFiles();
    if (sources.empty())
      return fail("", "no input files: pass source files, or -p <build-dir> to check a whole "
                      "compilation database");

    for (const std::string& source : sources) checkSource(source, shared.get());

    Report report;
    report.findings = findings_.take();
    report.errors = errors_;
    if (!emit(report, out)) return 2;
    summarize(report);
    if (!errors_.empty()) return 2;
    for (const Finding& f : report.findings)
      if (f.severity == Severity::Error) return 1;
    return 0;
  }

 private:
  static std::string oneLine(std::string text) {
    std::replace(text.begin(), text.end(), '\n', ' ');
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text;
  }

  int fail(const std::string& file, const std::string& message) {
    err_ << "forksafe-check: error: " << oneLine(message) << "\n";
    errors_.push_back({file, oneLine(message)});
    return 2;
  }

  void checkSource(const std::string& source, const clang::tooling::CompilationDatabase* shared) {
    std::string file = absolute(source);
    if (llvm::sys::fs::is_directory(file)) {
      fail(file, "cannot check '" + source + "': it is a directory");
      return;
    }
    if (std::error_code ec = llvm::sys::fs::access(file, llvm::sys::fs::AccessMode::Exist)) {
      fail(file, "cannot open '" + source + "': " + ec.message());
      return;
    }
    auto config = configs_.forSource(file);
    if (!config) {
      fail(file, llvm::toString(config.takeError()));
      return;
    }
    Effective settings = effectiveSettings(*config, options_);
    std::unique_ptr<clang::tooling::CompilationDatabase> own;
    const clang::tooling::CompilationDatabase* db = shared;
    if (!db) {
      std::string why;
      own = clang::tooling::CompilationDatabase::autoDetectFromSource(file, why);
      if (own) {
        own = clang::tooling::inferMissingCompileCommands(std::move(own));
      } else {
        if (!options_.quiet)
          err_ << "forksafe-check: warning: no compilation database found for '" << source
               << "'; checking it with default flags (use -p <build-dir> or -- <flags>)\n";
        own = std::make_unique<clang::tooling::FixedCompilationDatabase>(
            ".", std::vector<std::string>{});
      }
      db = own.get();
    }
    CollectorOptions collector;
    collector.handlerPatterns = settings.handlerPatterns;
    TUOutcome outcome = runFrontend(*db, file, frontend_, collector);
    if (!outcome.ok) {
      fail(file, "cannot parse '" + source + "': " + outcome.error);
      return;
    }
    ++checked_;
    GlobList enabled(settings.checks);
    GlobList asErrors(settings.warningsAsErrors);
    for (const TUFacts& facts : outcome.facts) {
      Model model(facts, !settings.handlerPatterns.empty());
      CheckContext ctx{model, suppressions_};
      for (const auto& check : checks_) {
        if (!enabled.contains(check->id())) continue;
        std::vector<Finding> found;
        check->check(ctx, found);
        for (Finding& f : found) {
          if (suppressions_.suppressed(f.rule, f.loc)) {
            ++suppressed_;
            continue;
          }
          if (asErrors.contains(f.rule)) f.severity = Severity::Error;
          findings_.add(std::move(f));
        }
      }
    }
  }

  bool emit(const Report& report, llvm::raw_ostream& stdoutStream) {
    std::unique_ptr<llvm::raw_fd_ostream> file;
    llvm::raw_ostream* out = &stdoutStream;
    if (!options_.output.empty()) {
      std::error_code ec;
      file = std::make_unique<llvm::raw_fd_ostream>(options_.output, ec);
      if (ec) {
        fail("", "cannot write '" + options_.output + "': " + ec.message());
        return false;
      }
      out = file.get();
    }
    if (options_.format == "json") {
      emitJson(report, *out);
    } else if (options_.format == "sarif") {
      std::vector<RuleInfo> rules;
      for (const auto& c : checks_)
        rules.push_back({c->id().str(), c->defaultSeverity(), c->summary().str(), c->help().str()});
      emitSarif(report, rules, currentDir(), FORKSAFE_VERSION, *out);
    } else {
      bool color = !file && out->is_displayed() && !llvm::sys::Process::GetEnv("NO_COLOR");
      emitText(report, *out, color);
    }
    if (file && file->has_error()) {
      file->clear_error();
      fail("", "cannot write '" + options_.output + "'");
      return false;
    }
    return true;
  }

  void summarize(const Report& report) {
    if (options_.quiet) return;
    size_t errors = 0, warnings = 0;
    for (const Finding& f : report.findings) (f.severity == Severity::Error ? errors : warnings)++;
    err_ << "forksafe-check: " << checked_ << " file(s) checked: " << errors << " error(s), "
         << warnings << " warning(s)";
    if (suppressed_) err_ << ", " << suppressed_ << " suppressed by NOLINT";
    if (!errors_.empty()) err_ << "; " << errors_.size() << " problem(s) prevented checking";
    err_ << "\n";
  }

  const Options& options_;
  llvm::raw_ostream& err_;
  std::vector<std::unique_ptr<Check>> checks_;
  FrontendOptions frontend_;
  ConfigFinder configs_;
  Suppressions suppressions_;
  FindingSet findings_;
  std::vector<RunError> errors_;
  size_t checked_ = 0;
  size_t suppressed_ = 0;
};

}  // namespace

int runCheckTool(int argc, const char* const* argv, llvm::raw_ostream& out,
                 llvm::raw_ostream& err) {
  Options options;
  if (int status = parseOptions(argc, argv, options, out, err); status >= 0) return status;
  if (options.version) {
    out << "forksafe-check " << FORKSAFE_VERSION << " (LLVM " << LLVM_VERSION_STRING << ")\n";
    return 0;
  }
  Run run(options, err, argc > 0 ? argv[0] : "forksafe-check");
  if (options.listChecks) return run.listChecks(out);
  return run.check(out);
}

}  // namespace forksafe
