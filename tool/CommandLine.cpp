// Command-line parsing for forksafe-check (CLI11), into driver/Options.h.
#include "CommandLine.h"

#include <CLI/CLI.hpp>

namespace forksafe {
namespace {

// clang-tidy accepts `-checks=...` as well as `--checks=...`; so do we.
std::string normalizeDashes(const std::string& arg) {
  constexpr const char* kLong[] = {"checks",
                                   "list-checks",
                                   "handlers",
                                   "warnings-as-errors",
                                   "format",
                                   "output",
                                   "version",
                                   "help",
                                   "quiet",
                                   "extra-arg",
                                   "extra-arg-before",
                                   "build-path",
                                   "jobs",
                                   "cache-dir",
                                   "no-cache",
                                   "stats",
                                   "header-filter",
                                   "exclude-header-filter",
                                   "system-headers",
                                   "deployment",
                                   "lsp",
                                   "compile-commands-dir",
                                   "fix",
                                   "fix-errors",
                                   "fix-notes",
                                   "export-fixes",
                                   "baseline",
                                   "write-baseline",
                                   "diff",
                                   "line-filter",
                                   "facts-dir",
                                   "no-build-facts"};
  if (arg.size() < 3 || arg[0] != '-' || arg[1] == '-') return arg;
  std::string name =
      arg.substr(1, arg.find('=') == std::string::npos ? std::string::npos : arg.find('=') - 1);
  for (const char* known : kLong)
    if (name == known) return "-" + arg;
  return arg;
}

}  // namespace

int parseOptions(int argc, const char* const* argv, Options& options, llvm::raw_ostream& out,
                 llvm::raw_ostream& err) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") {
      options.hasCompilerArgs = true;
      options.compilerArgs.assign(argv + i + 1, argv + argc);
      break;
    }
    args.push_back(normalizeDashes(arg));
  }

  CLI::App app{
      "Finds state that breaks when handler code runs in a pre-fork server.\n"
      "Usage like clang-tidy: forksafe-check [options] <source>... [-- <compiler args>]",
      "forksafe-check"};
  app.add_option("sources", options.sources, "Source files to check")->type_name("<source>");
  app.add_option("-p,--build-path", options.buildPath,
                 "Directory with compile_commands.json; every file in it is analysed; named "
                 "sources select what is reported");
  app.add_option("--checks", options.checks,
                 "Comma-separated globs of rules to run, e.g. 'forksafe-*,-forksafe-prefork-pid' "
                 "(added after the Checks of .forksafe.yaml)");
  app.add_flag("--list-checks", options.listChecks, "List the enabled rules and exit");
  app.add_option("--handlers", options.handlers,
                 "Regex for qualified names of request handlers (repeatable)")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--warnings-as-errors", options.warningsAsErrors,
                 "Globs of rules whose warnings count as errors");
  app.add_option("--format", options.format, "Output format")
      ->check(CLI::IsMember({"text", "json", "sarif"}));
  app.add_option("-o,--output", options.output, "Write the report to this file");
  app.add_option("-j,--jobs", options.jobs, "Files analysed at once (default: one per core)")
      ->check(CLI::Range(0u, 1024u));
  app.add_option("--cache-dir", options.cacheDir,
                 "Where analysed files' facts are cached (default: $FORKSAFE_CACHE_DIR, "
                 "$XDG_CACHE_HOME/forksafe or ~/.cache/forksafe)");
  app.add_flag("--no-cache", options.noCache, "Analyse every file, read and write no cache");
  app.add_flag("--stats", options.stats, "Print the time spent in each phase on stderr");
  app.add_option("--facts-dir", options.factsDir,
                 "Facts files the build wrote (libforksafe-facts.so, forksafe-facts); alone, check "
                 "every file they describe");
  app.add_flag("--no-build-facts", options.noBuildFacts,
               "Parse every file, even where the build left current facts");
  std::string headerFilter, excludeHeaderFilter;
  CLI::Option* header =
      app.add_option(
             "--header-filter", headerFilter,
             "Regex for the headers to report findings in (source files always are); replaces "
             "HeaderFilterRegex and the default, every header but system and framework headers")
          ->expected(0, 1);  // `--header-filter=` (empty) is allowed, as in clang-tidy
  CLI::Option* exclude =
      app.add_option(
             "--exclude-header-filter", excludeHeaderFilter,
             "Regex for headers not to report findings in; replaces ExcludeHeaderFilterRegex")
          ->expected(0, 1);
  app.add_flag("--system-headers", options.systemHeaders,
               "Also report findings in system headers (SystemHeaders in .forksafe.yaml)");
  app.add_option("--deployment", options.deployment,
                 "How the programs run: prefork (workers forked from an initialised master), "
                 "replicas (independent processes) or auto (decided per program; the default)")
      ->check(CLI::IsMember({"auto", "prefork", "replicas"}));
  app.add_flag("--fix", options.fix, "Apply the fixes that remove a problem (std::atomic<T>)");
  app.add_flag("--fix-errors", options.fixErrors,
               "Like --fix, and apply them even when a source could not be checked");
  app.add_flag("--fix-notes", options.fixNotes,
               "With --fix or --export-fixes, where no such fix exists use the first that declares "
               "intent (FORKSAFE_PER_WORKER, or a NOLINT comment with a reason to fill in)");
  app.add_option("--export-fixes", options.exportFixes,
                 "Write the fixes as clang-tidy YAML for clang-apply-replacements")
      ->type_name("<file>");
  app.add_flag(
      "--lsp", options.lsp,
      "Serve the Language Server Protocol on stdin/stdout for an editor (docs/editors.md)");
  app.add_option("--compile-commands-dir", options.compileCommandsDir,
                 "With --lsp: the directory of compile_commands.json (default: searched from "
                 "each file's directory upwards, and in build/ there, as clangd does)");
  app.add_option("--baseline", options.baseline,
                 "Leave out the findings recorded in this baseline file (see --write-baseline); "
                 "only new findings are reported and fail the run")
      ->type_name("<file>");
  app.add_option("--write-baseline", options.writeBaseline,
                 "Write the reported findings to this baseline file (JSON); exit 0 unless a file "
                 "could not be checked")
      ->type_name("<file>");
  app.add_option("--diff", options.diff,
                 "Report only findings whose declaration, a write site or a call on the path "
                 "from the handler is on a line changed since this git revision (git diff -U0 "
                 "<ref>)")
      ->type_name("<ref>");
  app.add_option("--line-filter", options.lineFilter,
                 "Report only findings with a declaration, site or path call on these lines: "
                 "clang-tidy's JSON, [{\"name\":\"file.cpp\",\"lines\":[[1,3],[5,5]]}]")
      ->type_name("<json>");
  app.add_flag("--version", options.version, "Print the version and exit");
  app.add_flag("-q,--quiet", options.quiet, "Do not print the summary line on stderr");
  app.add_option("--extra-arg", options.extraArgs, "Compiler argument to append (repeatable)")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--extra-arg-before", options.extraArgsBefore,
                 "Compiler argument to prepend (repeatable)")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);

  std::vector<const char*> raw{argv[0]};
  for (const std::string& a : args) raw.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(raw.size()), raw.data());
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    err << "forksafe-check: error: " << e.what() << " (see --help)\n";
    return 2;
  }
  if (header->count()) options.headerFilter = headerFilter;
  if (exclude->count()) options.excludeHeaderFilter = excludeHeaderFilter;
  return -1;
}

}  // namespace forksafe
