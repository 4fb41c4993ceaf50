// The whole-program analysis behind forksafe-check: options, compilation databases,
// configuration, the frontend, the link phase and the rules.
//
// A run has three phases. (1) Settings: each source's .forksafe.yaml is found and merged with the
// command line, single-threaded, so configuration errors come out in input order. (2) Facts: each
// source is parsed and reduced to TUFacts, on -j threads, or taken from the cache when nothing it
// read has changed. (3) Link and check: the facts of all sources become one program, reachability
// is computed over the whole of it, and every rule runs once; each finding is then filtered by the
// settings that apply to its own file (checks, NOLINT, warnings-as-errors). Results do not depend
// on -j: phase 2 fills slots in input order and phase 3 is sequential.
#include "driver/Analysis.h"

#include <clang/Tooling/CompilationDatabase.h>
#include <llvm/ADT/StringExtras.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Format.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Process.h>
#include <llvm/Support/Regex.h>
#include <llvm/Support/ThreadPool.h>
#include <llvm/Support/Threading.h>
#include <llvm/Support/xxhash.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <tuple>

#include "CheckRegistry.h"
#include "config/Config.h"
#include "config/Frameworks.h"
#include "config/GlobList.h"
#include "driver/CompileCommands.h"
#include "driver/Paths.h"
#include "facts/BuildFacts.h"
#include "facts/FactsCache.h"
#include "facts/Frontend.h"
#include "model/Link.h"
#include "model/Model.h"
#include "report/Baseline.h"
#include "report/ChangedLines.h"
#include "report/ReportFilter.h"
#include "report/Suppressions.h"

namespace forksafe {
namespace {

constexpr const char* kDefaultChecks = "forksafe-*";

// An address inside this binary, for getMainExecutable's fallback lookup.
void executableAnchor() {}

// A hash of this executable, for the facts cache key. Hashing the whole executable is slow (the
// language server builds an Analysis per edit), so it is done once per process, with the first
// argv0 seen ("" when the executable cannot be read).
const std::string& toolFingerprint(const char* argv0) {
  static const std::string fingerprint = [argv0] {
    std::string exe =
        llvm::sys::fs::getMainExecutable(argv0, reinterpret_cast<void*>(&executableAnchor));
    if (auto buffer = llvm::MemoryBuffer::getFile(exe, false, false))
      return llvm::utohexstr(
          llvm::xxh3_64bits(llvm::arrayRefFromStringRef((*buffer)->getBuffer())));
    return std::string();
  }();
  return fingerprint;
}

// An error is one readable line: a megabyte-long path from a hostile database keeps its ends.
std::string oneLine(std::string text) {
  constexpr size_t kMaxLine = 2000;
  std::replace(text.begin(), text.end(), '\n', ' ');
  while (!text.empty() && text.back() == ' ') text.pop_back();
  if (text.size() > kMaxLine)
    text = text.substr(0, kMaxLine / 2) + "..." + text.substr(text.size() - kMaxLine / 2);
  return text;
}

struct Settings {
  std::string checks;
  std::string warningsAsErrors;
  std::vector<std::string> handlerPatterns;
  std::optional<std::string> headerFilter;  // unset: every header but system/framework headers
  std::string excludeHeaderFilter;          // "": none
  bool systemHeaders = false;
  std::string deployment = "auto";
  // The built-in frameworks plus the configuration's; null when it adds none.
  std::shared_ptr<const FrameworkTable> frameworks;
  std::string frameworksFingerprint;  // of the added frameworks, for the cache key
};

Settings effectiveSettings(const FileConfig* config, const Options& options) {
  Settings s;
  if (config && !config->frameworks.frameworks.empty()) {
    auto table = std::make_shared<FrameworkTable>(builtinFrameworks());
    table->append(config->frameworks);
    s.frameworks = std::move(table);
    s.frameworksFingerprint = config->frameworks.fingerprint();
  }
  s.checks = config && config->checks ? *config->checks : kDefaultChecks;
  if (!options.checks.empty()) s.checks += "," + options.checks;
  if (config && config->warningsAsErrors) s.warningsAsErrors = *config->warningsAsErrors;
  if (!options.warningsAsErrors.empty()) s.warningsAsErrors += "," + options.warningsAsErrors;
  if (config) s.handlerPatterns = config->handlerPatterns;
  s.handlerPatterns.insert(s.handlerPatterns.end(), options.handlers.begin(),
                           options.handlers.end());
  if (config) {
    s.headerFilter = config->headerFilterRegex;
    s.excludeHeaderFilter = config->excludeHeaderFilterRegex.value_or("");
    s.systemHeaders = config->systemHeaders.value_or(false);
    s.deployment = config->deployment.value_or("auto");
  }
  if (options.headerFilter) s.headerFilter = options.headerFilter;
  if (options.excludeHeaderFilter) s.excludeHeaderFilter = *options.excludeHeaderFilter;
  if (options.systemHeaders) s.systemHeaders = true;
  if (!options.deployment.empty()) s.deployment = options.deployment;
  return s;
}

// Findings reported twice (a header's variable seen through two rules' paths) become one.
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

class Stopwatch {
 public:
  double lap() {
    auto now = std::chrono::steady_clock::now();
    double seconds = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    return seconds;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// One source to analyse.
struct Job {
  std::string source;  // as given
  std::string file;    // absolute
  Settings settings;
  std::shared_ptr<const clang::tooling::CompilationDatabase> db;
  TUOutcome outcome;
  bool cached = false;
  std::string key;  // the facts cache key
  // Reported on: named, or part of a run without named sources. With -p and named sources the
  // other files of the database are analysed too, and a failure to parse one is only a notice.
  bool reported = true;
  bool fromBuild = false;     // linked from the facts the build wrote
  std::string buildFactsWhy;  // why the build's facts could not be used, when looked for
};

// "[ 12/100] 0:34 left  src/routes.cpp" on a terminal; nothing in logs or CI.
class Progress {
 public:
  Progress(llvm::raw_ostream& err, size_t total, bool enabled)
      : err_(err), total_(total), enabled_(enabled), start_(std::chrono::steady_clock::now()) {}
  void done(const std::string& file) {
    if (!enabled_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    ++done_;
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    long left = done_ ? static_cast<long>(elapsed / done_ * (total_ - done_)) : 0;
    err_ << "\r\x1b[K[" << llvm::format_decimal(done_, std::to_string(total_).size()) << "/"
         << total_ << "] " << left / 60 << ":" << llvm::format_decimal(left % 60, 2) << " left  "
         << llvm::sys::path::filename(file);
    err_.flush();
  }
  void finish() {
    if (!enabled_ || done_ == 0) return;
    err_ << "\r\x1b[K";
    err_.flush();
  }

 private:
  llvm::raw_ostream& err_;
  size_t total_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  size_t done_ = 0;
};

}  // namespace

class Analysis::Impl {
 public:
  Impl(const Options& options, llvm::raw_ostream& err, const char* argv0)
      : options_(options),
        err_(err),
        checks_(allChecks()),
        cache_(options.noCache
                   ? ""
                   : (options.cacheDir.empty() ? FactsCache::defaultDir() : options.cacheDir)) {
    frontend_.resourceDir = findResourceDir(argv0);
    // Cached facts are only valid for the very build that produced them.
    if (cache_.enabled()) toolFingerprint_ = toolFingerprint(argv0);
    frontend_.extraArgs = options.extraArgs;
    frontend_.extraArgsBefore = options.extraArgsBefore;
    // --extra-arg changes the parse: facts the build wrote without it do not apply.
    if (!options.noBuildFacts && options.extraArgs.empty() && options.extraArgsBefore.empty())
      buildFacts_ = std::make_unique<BuildFactsIndex>(options.factsDir);
  }

  int listChecks(llvm::raw_ostream& out) {
    auto config = configs_.forSource(absolutePath("forksafe-list-checks.cpp"));
    if (!config) return fail("", llvm::toString(config.takeError()));
    if (!validGlobs() || !validConfig(*config)) return 2;
    GlobList enabled(effectiveSettings(*config, options_).checks);
    if (!anyEnabled(enabled)) return fail("", noChecks(*config));
    out << "Enabled checks:\n";
    for (const auto& check : checks_)
      if (enabled.contains(check->id())) out << "    " << check->id() << "\n";
    out << "\n";
    return 0;
  }

  std::optional<Report> run(ReportFilter filter) {
    if (!validGlobs()) return std::nullopt;
    for (const std::string& pattern : options_.handlers) {
      std::string why;
      if (!llvm::Regex(pattern).isValid(why))
        return failed("", "invalid --handlers regex '" + pattern + "': " + why);
    }
    for (const auto& [flag, pattern] :
         {std::pair{"--header-filter", &options_.headerFilter},
          std::pair{"--exclude-header-filter", &options_.excludeHeaderFilter}}) {
      std::string why;
      if (*pattern && !(*pattern)->empty() && !llvm::Regex(**pattern).isValid(why))
        return failed("", std::string("invalid ") + flag + " regex '" + **pattern + "': " + why);
    }
    std::shared_ptr<const clang::tooling::CompilationDatabase> shared;
    std::vector<std::string> recorded;  // --facts-dir alone: the sources the facts describe
    if (!options_.factsDir.empty() && !llvm::sys::fs::is_directory(options_.factsDir))
      return failed("", "cannot read facts: '" + options_.factsDir + "' is not a directory");
    if (!options_.factsDir.empty() && !options_.hasCompilerArgs && options_.buildPath.empty() &&
        options_.sources.empty()) {
      // --facts-dir alone: the files and the compile commands the facts record.
      std::string why;
      BuildFactsIndex* index = buildFacts_.get();
      std::unique_ptr<BuildFactsIndex> scanOnly;
      if (!index) index = (scanOnly = std::make_unique<BuildFactsIndex>(options_.factsDir)).get();
      shared = index->scan(why);
      if (!shared) return failed("", "cannot read facts: " + why);
      recorded = shared->getAllFiles();
      std::sort(recorded.begin(), recorded.end());
    } else if (options_.hasCompilerArgs) {
      shared =
          std::make_shared<clang::tooling::FixedCompilationDatabase>(".", options_.compilerArgs);
    } else if (!options_.buildPath.empty()) {
      std::string why;
      std::string file = absolutePath(options_.buildPath) + "/compile_commands.json";
      llvm::sys::fs::file_status status;
      if (std::error_code ec = llvm::sys::fs::status(file, status)) {
        if (ec == std::errc::no_such_file_or_directory)
          return failed("", "cannot load compilation database: '" + file + "' does not exist");
        return failed("", "cannot load compilation database '" + file + "': " + ec.message());
      }
      shared = loadCompileCommands(file, why);
      if (!shared)
        return failed("", "cannot load compilation database '" + file + "': " + oneLine(why));
    }
    // With a database, the program is every file of it: named sources only select what is
    // reported (docs/checker.md#whole-program-analysis).
    std::vector<std::string> sources = options_.sources;
    std::set<std::string> named;
    bool wholeDatabase = shared && !options_.buildPath.empty() && !options_.hasCompilerArgs;
    if (wholeDatabase) {
      for (const std::string& source : options_.sources) {
        named.insert(absolutePath(source));
        filter.addFile(absolutePath(source));
      }
      for (const std::string& file : shared->getAllFiles())
        if (!named.count(absolutePath(file))) sources.push_back(file);
    }
    if (sources.empty()) sources = recorded;
    if (sources.empty())
      return failed("",
                    "no input files: pass source files, or -p <build-dir> to check a whole "
                    "compilation database");
    if (!addChangeScopes(filter)) return std::nullopt;

    std::vector<Job> jobs;
    for (const std::string& source : sources) {
      auto job = prepare(source, shared, named.empty() || named.count(absolutePath(source)));
      if (job) jobs.push_back(std::move(*job));
    }
    if (unusableEntries_) {
      std::string message =
          std::to_string(unusableEntries_) +
          " file(s) of the compilation database left out (first: " + firstUnusableEntry_ + ")";
      err_ << "forksafe-check: warning: " << oneLine(message) << "\n";
      notices_.push_back({"", oneLine(message)});
    }
    stats_.reported = named.size();
    auto firstReported =
        std::find_if(jobs.begin(), jobs.end(), [](const Job& job) { return job.reported; });
    if (firstReported != jobs.end() && std::none_of(jobs.begin(), jobs.end(), [&](const Job& job) {
          return job.reported && anyEnabled(GlobList(job.settings.checks));
        }))
      return failed("", noChecks(configOf(firstReported->file)));
    Stopwatch clock;
    analyze(jobs);
    double analyzeSeconds = clock.lap();

    std::vector<const TUFacts*> units;
    ModelOptions modelOptions;
    size_t buildMissed = 0;
    std::string firstBuildMiss;
    if (options_.deployment == "prefork") modelOptions.forced = Deployment::Prefork;
    if (options_.deployment == "replicas") modelOptions.forced = Deployment::Replicas;
    for (Job& job : jobs) {
      if (!job.outcome.ok && !job.reported) {
        std::string message = "cannot parse '" + job.source + "': " + oneLine(job.outcome.error) +
                              "; findings that need its facts may be missing";
        err_ << "forksafe-check: warning: " << message << "\n";
        notices_.push_back({job.file, message});
        continue;
      }
      if (!job.outcome.ok) {
        fail(job.file, "cannot parse '" + job.source + "': " + job.outcome.error);
        continue;
      }
      ++stats_.checked;
      stats_.cached += job.cached;
      stats_.fromBuild += job.fromBuild;
      if (!job.fromBuild && !job.buildFactsWhy.empty()) {
        ++buildMissed;
        if (firstBuildMiss.empty())
          firstBuildMiss = llvm::sys::path::filename(job.file).str() + ": " + job.buildFactsWhy;
      }
      for (const TUFacts& f : job.outcome.facts) {
        units.push_back(&f);
        sources_.insert(f.mainFile);
        if (!f.preforkHint.empty()) modelOptions.preforkHints[f.mainFile] = f.preforkHint;
        if (job.settings.deployment != "auto")
          modelOptions.unitOverrides[f.mainFile] =
              job.settings.deployment == "prefork" ? Deployment::Prefork : Deployment::Replicas;
      }
    }
    TUFacts program = linkFacts(units);
    systemHeaders_.insert(program.systemHeaders.begin(), program.systemHeaders.end());
    double linkSeconds = clock.lap();
    scope_ = &filter;
    FindingSet findings = runChecks(program, std::move(modelOptions));
    scope_ = nullptr;
    double checkSeconds = clock.lap();
    if (options_.stats) {
      err_ << llvm::format(
          "forksafe-check: stats: %zu file(s): facts %.3fs (%zu from cache, %zu from build "
          "facts), link %.3fs, rules %.3fs; %zu functions, %zu variables\n",
          jobs.size(), analyzeSeconds, stats_.cached, stats_.fromBuild, linkSeconds, checkSeconds,
          program.functions.size(), program.variables.size());
      if (buildMissed)
        err_ << "forksafe-check: stats: " << buildMissed
             << " file(s) parsed without build facts; first: " << oneLine(firstBuildMiss) << "\n";
    }

    if (source_)
      for (Job& job : jobs) source_->keep(job.file, job.key, std::move(job.outcome));
    Report report;
    std::vector<Finding> all = findings.take();
    assignFingerprints(all, projectRoot(currentDir()));
    std::vector<Finding> inScope;
    for (Finding& f : all) {
      if (!filter.inScope(f))
        ++stats_.outOfScope;
      else
        inScope.push_back(std::move(f));
    }
    if (!options_.writeBaseline.empty())
      if (llvm::Error e = writeBaseline(inScope, projectRoot(currentDir()), FORKSAFE_VERSION,
                                        options_.writeBaseline))
        fail("", llvm::toString(std::move(e)));
    for (Finding& f : inScope) {
      if (filter.inBaseline(f))
        ++stats_.inBaseline;
      else
        report.findings.push_back(std::move(f));
    }
    report.errors = errors_;
    report.notices = notices_;
    stats_.library = library_.size();
    return report;
  }

  std::vector<RuleInfo> rules() const {
    std::vector<RuleInfo> rules;
    for (const auto& c : checks_)
      rules.push_back({c->id().str(), c->defaultSeverity(), c->summary().str(), c->help().str()});
    return rules;
  }

  const AnalysisStats& stats() const { return stats_; }

  void setFactsSource(FactsSource* source) {
    source_ = source;
    if (source) suppressions_.setFileSystem(source->fileSystem());
  }

 private:
  int fail(const std::string& file, const std::string& message) {
    err_ << "forksafe-check: error: " << oneLine(message) << "\n";
    errors_.push_back({file, oneLine(message)});
    return 2;
  }
  std::nullopt_t failed(const std::string& file, const std::string& message) {
    fail(file, message);
    return std::nullopt;
  }

  // --checks and --warnings-as-errors: every glob must match a rule (a typo would silently run
  // or promote nothing).
  bool validGlobs() {
    std::vector<std::string> names = ruleNames();
    for (const auto& [flag, globs] :
         {std::pair{"--checks", &options_.checks},
          std::pair{"--warnings-as-errors", &options_.warningsAsErrors}})
      for (const std::string& glob : GlobList(*globs).unmatched(names)) {
        fail("", std::string(flag) + ": " + unmatchedGlob(glob, names));
        return false;
      }
    return true;
  }

  // The same for a configuration file's Checks and WarningsAsErrors, once per file.
  bool validConfig(const FileConfig* config) {
    if (!config || !validatedConfigs_.insert(config->path).second) return true;
    std::vector<std::string> names = ruleNames();
    for (const auto& [key, globs] : {std::pair{"Checks", &config->checks},
                                     std::pair{"WarningsAsErrors", &config->warningsAsErrors}}) {
      if (!*globs) continue;
      for (const std::string& glob : GlobList(**globs).unmatched(names)) {
        fail(config->path, "invalid configuration " + config->where(key) + ": " + key + ": " +
                               unmatchedGlob(glob, names));
        return false;
      }
    }
    return true;
  }

  // The configuration of a file whose configuration already loaded (null when it has none).
  const FileConfig* configOf(const std::string& file) {
    auto config = configs_.forSource(file);
    if (!config) {
      llvm::consumeError(config.takeError());
      return nullptr;
    }
    return *config;
  }

  std::vector<std::string> ruleNames() const {
    std::vector<std::string> names;
    for (const auto& check : checks_) names.push_back(check->id().str());
    return names;
  }

  static std::string unmatchedGlob(const std::string& glob, const std::vector<std::string>& names) {
    std::string near = nearestName(glob, names);
    return "'" + glob + "' matches no rule; " +
           (near.empty() ? "the rules are forksafe-* (see --list-checks)"
                         : "did you mean '" + near + "'?");
  }

  bool anyEnabled(const GlobList& enabled) const {
    return std::any_of(checks_.begin(), checks_.end(),
                       [&](const auto& check) { return enabled.contains(check->id()); });
  }

  // "no checks enabled", said where the globs that disable everything come from.
  std::string noChecks(const FileConfig* config) const {
    if (options_.checks.empty() && config && config->checks)
      return "invalid configuration " + config->where("Checks") + ": no checks enabled";
    return "no checks enabled (--checks='" + options_.checks + "')";
  }

  // --line-filter, --diff and --baseline narrow the report.
  bool addChangeScopes(ReportFilter& filter) {
    if (!options_.lineFilter.empty())
      if (llvm::Error e = addLineFilter(options_.lineFilter, filter)) {
        fail("", llvm::toString(std::move(e)));
        return false;
      }
    if (!options_.diff.empty())
      if (llvm::Error e = addGitDiff(options_.diff, currentDir(), filter)) {
        fail("", llvm::toString(std::move(e)));
        return false;
      }
    if (!options_.baseline.empty()) {
      auto prints = readBaseline(options_.baseline);
      if (!prints) {
        fail("", llvm::toString(prints.takeError()));
        return false;
      }
      filter.excludeFingerprints(std::move(*prints));
    }
    return true;
  }

  // Phase 1: validates a source and settles its settings and compilation database.
  std::optional<Job> prepare(
      const std::string& source,
      const std::shared_ptr<const clang::tooling::CompilationDatabase>& shared, bool reported) {
    Job job;
    job.source = source;
    job.file = absolutePath(source);
    job.reported = reported;
    std::string unusable;
    if (llvm::sys::fs::is_directory(job.file))
      unusable = "cannot check '" + source + "': it is a directory";
    else if (std::error_code ec = llvm::sys::fs::access(job.file, llvm::sys::fs::AccessMode::Exist))
      unusable = "cannot open '" + source + "': " + ec.message();
    if (!unusable.empty()) {
      // A stale entry of the database that was not named is left out with one warning for all
      // of them (see run()); a named source is an error.
      if (reported)
        fail(job.file, unusable);
      else if (unusableEntries_++ == 0)
        firstUnusableEntry_ = unusable;
      return std::nullopt;
    }
    auto config = configs_.forSource(job.file);
    if (!config) {
      fail(job.file, llvm::toString(config.takeError()));
      return std::nullopt;
    }
    if (!validConfig(*config)) return std::nullopt;
    job.settings = effectiveSettings(*config, options_);
    job.db = shared;
    if (!job.db) {
      std::string why;
      auto detected = clang::tooling::CompilationDatabase::autoDetectFromSource(job.file, why);
      if (detected) {
        job.db = clang::tooling::inferMissingCompileCommands(std::move(detected));
      } else {
        if (!options_.quiet)
          err_ << "forksafe-check: warning: no compilation database found for '" << source
               << "'; checking it with default flags (use -p <build-dir> or -- <flags>)\n";
        job.db = std::make_shared<clang::tooling::FixedCompilationDatabase>(
            ".", std::vector<std::string>{});
      }
    }
    return job;
  }

  std::string cacheKey(const Job& job) const {
    std::vector<std::string> parts = {FORKSAFE_VERSION, toolFingerprint_,
                                      std::to_string(kFactsVersion), job.file,
                                      frontend_.resourceDir};
    for (const clang::tooling::CompileCommand& c : job.db->getCompileCommands(job.file)) {
      parts.push_back(c.Directory);
      parts.insert(parts.end(), c.CommandLine.begin(), c.CommandLine.end());
    }
    parts.insert(parts.end(), job.settings.handlerPatterns.begin(),
                 job.settings.handlerPatterns.end());
    parts.push_back(job.settings.systemHeaders ? "system-headers" : "");
    parts.push_back(job.settings.frameworksFingerprint);
    parts.insert(parts.end(), frontend_.extraArgsBefore.begin(), frontend_.extraArgsBefore.end());
    parts.insert(parts.end(), frontend_.extraArgs.begin(), frontend_.extraArgs.end());
    return FactsCache::key(parts);
  }

  // The facts the build wrote for `job`'s source, when they are current
  // (docs/facts-from-the-build.md).
  bool fromBuildFacts(Job& job) {
    CollectorSettings settings;
    settings.handlerPatterns = job.settings.handlerPatterns;
    settings.systemHeaders = job.settings.systemHeaders;
    settings.frameworksFingerprint = job.settings.frameworksFingerprint;
    auto facts = buildFacts_->lookup(job.file, job.db->getCompileCommands(job.file), settings.key(),
                                     job.buildFactsWhy);
    if (!facts) return false;
    job.outcome.file = job.file;
    job.outcome.ok = true;
    job.outcome.facts = std::move(*facts);
    return true;
  }

  // Phase 2: facts for every job, in parallel, from the cache when possible.
  void analyze(std::vector<Job>& jobs) {
    bool terminal = llvm::sys::Process::StandardErrIsDisplayed() &&
                    !llvm::sys::Process::GetEnv("CI") && !options_.quiet;
    Progress progress(err_, jobs.size(), terminal && jobs.size() > 1);
    auto work = [&](Job& job) {
      std::string key = job.key = cacheKey(job);
      bool useCache = true;
      std::optional<std::vector<TUFacts>> hit;
      if (source_ && source_->reuse(job.file, key, job.outcome, useCache)) {
        job.cached = true;
      } else if (useCache && buildFacts_ && fromBuildFacts(job)) {
        job.fromBuild = true;
      } else if (useCache && (hit = cache_.lookup(key, &job.outcome.dependencies))) {
        job.outcome.file = job.file;
        job.outcome.ok = true;
        job.outcome.facts = std::move(*hit);
        job.cached = true;
      } else {
        CollectorOptions collector;
        collector.handlerPatterns = job.settings.handlerPatterns;
        collector.systemHeaders = job.settings.systemHeaders;
        collector.frameworks = job.settings.frameworks.get();
        job.outcome = runFrontend(*job.db, job.file, frontend_, collector,
                                  source_ ? source_->fileSystem() : nullptr);
        if (source_) source_->parsed(job.file, job.outcome);
        if (job.outcome.ok && (!source_ || source_->cacheable(job.outcome)))
          cache_.store(key, job.outcome.facts, job.outcome.dependencies);
      }
      progress.done(job.file);
      if (source_) source_->done(job.file);
    };
    unsigned threads =
        options_.jobs ? options_.jobs : llvm::hardware_concurrency().compute_thread_count();
    threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(jobs.size())));
    if (threads == 1) {
      for (Job& job : jobs) work(job);
    } else {
      llvm::DefaultThreadPool pool(llvm::hardware_concurrency(threads));
      for (Job& job : jobs) pool.async([&work, &job] { work(job); });
      pool.wait();
    }
    progress.finish();
  }

  // The settings that apply to a finding: those of the file it is reported in.
  const Settings& settingsFor(const std::string& file) {
    auto it = fileSettings_.find(file);
    if (it != fileSettings_.end()) return it->second;
    const FileConfig* config = nullptr;
    if (auto found = configs_.forSource(file))
      config = *found;
    else
      llvm::consumeError(found.takeError());  // a header's broken config: command line only
    return fileSettings_.emplace(file, effectiveSettings(config, options_)).first->second;
  }

  const llvm::Regex& regex(const std::string& pattern) {
    auto it = regexes_.find(pattern);
    if (it == regexes_.end())
      it = regexes_.emplace(pattern, std::make_unique<llvm::Regex>(pattern)).first;
    return *it->second;
  }

  // Whether findings in `file` are shown: clang-tidy's filters, with forksafe's default (every
  // header but system headers and the framework headers of the table) when no HeaderFilterRegex
  // is set. Source files of the run are always user code. See docs/checker.md.
  bool userCode(const std::string& file) {
    if (sources_.count(file)) return true;
    auto known = userCode_.find(file);
    if (known != userCode_.end()) return known->second;
    const Settings& settings = settingsFor(file);
    bool system = systemHeaders_.count(file) != 0;
    bool shown;
    if (system && !settings.systemHeaders)
      shown = false;
    else if (!settings.excludeHeaderFilter.empty() &&
             regex(settings.excludeHeaderFilter).match(file))
      shown = false;
    else if (settings.headerFilter)
      shown = !settings.headerFilter->empty() && regex(*settings.headerFilter).match(file);
    else {
      shown = true;
      for (const std::string& p : frameworkHeaderPatterns(builtinFrameworks()))
        if (regex(p).match(file)) shown = false;
    }
    return userCode_.emplace(file, shown).first->second;
  }

  // Whether the run reports in the finding's places (its suppressed and library findings are
  // counted only then).
  bool inScope(const Finding& f) const { return !scope_ || scope_->inScope(f); }

  // Phase 3: the rules over the linked program.
  FindingSet runChecks(const TUFacts& program, ModelOptions modelOptions) {
    FindingSet findings;
    Model model(program, std::move(modelOptions));
    CheckContext ctx{model, suppressions_};
    for (const auto& check : checks_) {
      std::vector<Finding> found;
      check->check(ctx, found);
      for (Finding& f : found) {
        bool librarySites =
            !f.sites.empty() && std::none_of(f.sites.begin(), f.sites.end(),
                                             [&](const Location& l) { return userCode(l.file); });
        if (!userCode(f.loc.file) || librarySites) {
          if (inScope(f)) library_.insert({f.rule, f.loc.file, f.loc.line, f.loc.column});
          continue;
        }
        const Settings& settings = settingsFor(f.loc.file);
        if (!GlobList(settings.checks).contains(f.rule)) continue;
        if (suppressions_.suppressed(f.rule, f.loc)) {
          stats_.suppressed += inScope(f);  // counted where it is reported
          continue;
        }
        if (GlobList(settings.warningsAsErrors).contains(f.rule)) f.severity = Severity::Error;
        findings.add(std::move(f));
      }
    }
    return findings;
  }

  const Options& options_;
  llvm::raw_ostream& err_;
  std::vector<std::unique_ptr<Check>> checks_;
  FrontendOptions frontend_;
  FactsCache cache_;
  std::string toolFingerprint_;
  std::unique_ptr<BuildFactsIndex> buildFacts_;  // null: --no-build-facts or --extra-arg
  ConfigFinder configs_;
  std::map<std::string, Settings> fileSettings_;
  Suppressions suppressions_;
  std::vector<RunError> errors_;
  std::vector<RunError> notices_;
  size_t unusableEntries_ = 0;           // database files that were not named and cannot be opened
  std::string firstUnusableEntry_;       // why the first of them cannot
  const ReportFilter* scope_ = nullptr;  // the run's filter: counts are of what is in scope
  std::set<std::string> validatedConfigs_;
  AnalysisStats stats_;
  // Findings in, or only written from, library code (system or framework headers).
  std::set<std::tuple<std::string, std::string, unsigned, unsigned>> library_;
  std::set<std::string> sources_;        // main files of the checked translation units
  std::set<std::string> systemHeaders_;  // headers clang read as system headers
  std::map<std::string, bool> userCode_;
  std::map<std::string, std::unique_ptr<llvm::Regex>> regexes_;
  FactsSource* source_ = nullptr;
};

Analysis::Analysis(const Options& options, llvm::raw_ostream& err, const char* argv0)
    : impl_(std::make_unique<Impl>(options, err, argv0)) {}
Analysis::~Analysis() = default;
int Analysis::listChecks(llvm::raw_ostream& out) { return impl_->listChecks(out); }
std::optional<Report> Analysis::run(ReportFilter filter) { return impl_->run(std::move(filter)); }
std::vector<RuleInfo> Analysis::rules() const { return impl_->rules(); }
const AnalysisStats& Analysis::stats() const { return impl_->stats(); }
void Analysis::setFactsSource(FactsSource* source) { impl_->setFactsSource(source); }

}  // namespace forksafe
