// Command-line, config-file and environment parsing for forksafe-serve (names follow Gunicorn's).
//
// register_options() is the one option table: parsing, --help, the man page and the suggestions
// for misspelt options all read it (cli_usage.cpp renders and diagnoses from it).
#include "settings.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <cstdlib>
#include <string_view>

#include "cli_usage.hpp"
#include "exit_codes.hpp"
#include "log.hpp"
#include "shared_arena.hpp"

namespace forksafe::serve {

namespace {

int default_workers() {
  const char* env = std::getenv("WEB_CONCURRENCY");
  if (!env) return 1;
  char* end = nullptr;
  long n = std::strtol(env, &end, 10);
  return (end && *end == '\0' && n >= 1 && n <= 1024) ? static_cast<int>(n) : 1;
}

// "64M", "512K", "1G", "1048576" (K, M, G are powers of 1024); false on anything else.
bool parse_size(const std::string& text, std::uint64_t* out) {
  if (text.empty() || text.size() > 20) return false;
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || text.size() - digits > 1) return false;
  std::uint64_t n = std::strtoull(text.substr(0, digits).c_str(), nullptr, 10);
  unsigned shift = 0;
  if (digits < text.size()) {
    static constexpr std::string_view kSuffixes = "KMG";
    std::size_t at = kSuffixes.find(static_cast<char>(std::toupper(text[digits])));
    if (at == std::string_view::npos) return false;
    shift = 10 * static_cast<unsigned>(at + 1);
  }
  if (n > (std::uint64_t{1} << (62 - shift))) return false;
  *out = n << shift;
  return true;
}

std::string validate(Settings& s) {
  if (!parse_size(s.verify_heap_limit, &s.verify_heap_limit_bytes))
    return fmt::format(
        "cannot use --verify-heap-limit '{}': expected a size such as 64M (suffix K, M or G; 0 "
        "turns heap tracking off)",
        s.verify_heap_limit);
  if (!s.verify_fail_on.empty() && s.verify_fail_on != "mutation" &&
      s.verify_fail_on != "dynamic-only")
    return fmt::format("cannot use --verify-fail-on '{}': expected mutation or dynamic-only",
                       s.verify_fail_on);
  if (s.workers < 1 || s.workers > 1024)
    return fmt::format("cannot use {} workers: need 1..1024", s.workers);
  if (s.threads < 1 || s.threads > 1024)
    return fmt::format("cannot use {} threads: need 1..1024", s.threads);
  if (s.worker_connections < 1) return "cannot use --worker-connections below 1";
  if (s.timeout < 0 || s.graceful_timeout < 0 || s.keep_alive < 0 || s.header_timeout <= 0)
    return "cannot use a negative timeout";
  if (s.max_requests < 0 || s.max_requests_jitter < 0)
    return "cannot use a negative --max-requests";
  if (s.limit_request_line < 16 || s.limit_request_field_size < 16)
    return "cannot use request limits below 16 bytes";
  if (s.bind.empty()) return "cannot start without a --bind address";
  if (auto problem = validate_shared_settings(s); !problem.empty()) return problem;
  Level level;
  if (!parse_level(s.loglevel, &level))
    return fmt::format(
        "cannot use log level '{}': expected debug, info, warning, error or critical", s.loglevel);
  return {};
}

/// Places `opt` in a --help group, with the value hint and the default --help and the man page
/// show. The parser's own default (capture_default_str) stays the real value for --print-config.
CLI::Option* doc(CLI::Option* opt, const char* group, const char* hint,
                 const char* shown_default = nullptr) {
  opt->group(group)->option_text(hint);
  if (shown_default)
    opt->description(fmt::format("{} (default: {})", opt->get_description(), shown_default));
  return opt;
}

// The --help groups, in the order --help and the man page list them.
constexpr const char* kConfig = "Config";
constexpr const char* kSocket = "Server socket";
constexpr const char* kWorkers = "Worker processes";
constexpr const char* kMechanics = "Server mechanics";
constexpr const char* kNaming = "Process naming";
constexpr const char* kLimits = "Request limits";
constexpr const char* kLogging = "Logging";
constexpr const char* kShared = "Shared state";
constexpr const char* kVerify = "Verify";
constexpr const char* kDebugging = "Debugging";

void register_options(CLI::App& cli, Settings& s) {
  auto env = [](const char* name) { return fmt::format("FORKSAFE_{}", name); };
  doc(cli.add_option("APP", s.app_path,
                     "The app shared library (built with forksafe_add_app); a bare name means "
                     "./name")
          ->envname("FORKSAFE_APP"),
      "Arguments", "");

  cli.set_help_flag("-h,--help", "Print this help and exit")->group(kConfig);
  doc(cli.set_config("--config,-c", "",
                     "Read settings from this file (TOML/INI; keys are the long option names)"),
      kConfig, "FILE");
  cli.allow_config_extras(CLI::config_extras_mode::error);  // a typo in a key must not be ignored
  doc(cli.add_option("-b,--bind", s.bind,
                     "Listen on host:port, [ipv6]:port or unix:PATH; repeatable; port 0 picks a "
                     "free port")
          ->envname(env("BIND"))
          ->default_str("127.0.0.1:8000")
          ->allow_extra_args(false),
      kSocket, "ADDRESS", "127.0.0.1:8000");
  doc(cli.add_option("--backlog", s.backlog, "Listen queue length")
          ->envname(env("BACKLOG"))
          ->check(CLI::Range(0LL, 1LL << 40).description(""))
          ->capture_default_str(),
      kSocket, "INT", "2048");
  doc(cli.add_option("--metrics-bind", s.metrics_bind,
                     "Serve Prometheus metrics from the master at http://ADDRESS/metrics")
          ->envname(env("METRICS_BIND")),
      kSocket, "ADDRESS");

  doc(cli.add_option("-w,--workers", s.workers, "Worker processes")
          ->envname(env("WORKERS"))
          ->capture_default_str(),
      kWorkers, "INT", "$WEB_CONCURRENCY or 1");
  doc(cli.add_option("-k,--worker-class", s.worker_class, "Worker type: event, sync or threads")
          ->envname(env("WORKER_CLASS"))
          ->check(CLI::IsMember({"event", "sync", "threads"}).description(""))
          ->capture_default_str(),
      kWorkers, "CLASS", "event");
  doc(cli.add_option("--threads", s.threads, "Handler threads per worker with -k threads")
          ->envname(env("THREADS"))
          ->capture_default_str(),
      kWorkers, "INT", "4");
  doc(cli.add_option("--worker-connections", s.worker_connections,
                     "Open connections per worker (event, threads)")
          ->envname(env("WORKER_CONNECTIONS"))
          ->capture_default_str(),
      kWorkers, "INT", "1000");
  doc(cli.add_option("-t,--timeout", s.timeout,
                     "Abort, then kill, a worker silent for this many seconds; 0 never")
          ->envname(env("TIMEOUT"))
          ->capture_default_str(),
      kWorkers, "SECONDS", "30");
  doc(cli.add_option("--graceful-timeout", s.graceful_timeout,
                     "Seconds a stopping worker may drain before it is killed")
          ->envname(env("GRACEFUL_TIMEOUT"))
          ->capture_default_str(),
      kWorkers, "SECONDS", "30");
  doc(cli.add_option("--keep-alive", s.keep_alive,
                     "Seconds an idle keep-alive connection stays open; 0 disables keep-alive")
          ->envname(env("KEEP_ALIVE"))
          ->capture_default_str(),
      kWorkers, "SECONDS", "2");
  doc(cli.add_option("--header-timeout", s.header_timeout,
                     "Seconds a client has to send a request's headers (408 afterwards)")
          ->envname(env("HEADER_TIMEOUT"))
          ->capture_default_str(),
      kWorkers, "SECONDS", "10");
  doc(cli.add_option("--max-requests", s.max_requests,
                     "Recycle a worker gracefully after this many requests; 0 never")
          ->envname(env("MAX_REQUESTS"))
          ->capture_default_str(),
      kWorkers, "INT", "0");
  doc(cli.add_option("--max-requests-jitter", s.max_requests_jitter,
                     "Add a random 0..N per worker to --max-requests")
          ->envname(env("MAX_REQUESTS_JITTER"))
          ->capture_default_str(),
      kWorkers, "INT", "0");

  doc(cli.add_flag("--preload", s.preload,
                   "Load the app (and run its init hooks) in the master before forking")
          ->envname(env("PRELOAD")),
      kMechanics, "");
  doc(cli.add_option("--chdir", s.chdir, "Change to this directory before loading the app")
          ->envname(env("CHDIR")),
      kMechanics, "DIR");
  doc(cli.add_option("-p,--pid", s.pidfile, "Write the master's PID to this file")
          ->envname(env("PID")),
      kMechanics, "FILE");
  doc(cli.add_option("-u,--user", s.user, "Workers switch to this user after fork")
          ->envname(env("USER")),
      kMechanics, "USER");
  doc(cli.add_option("-g,--group", s.group, "Workers switch to this group after fork")
          ->envname(env("GROUP")),
      kMechanics, "GROUP");

  doc(cli.add_option("-n,--name", s.proc_name,
                     "Name the processes in ps and top: NAME-master and NAME-worker (cut to "
                     "Linux's 15 bytes)")
          ->envname(env("NAME")),
      kNaming, "NAME");

  auto limit = [&](const char* names, std::size_t& value, const char* text, const char* env_name,
                   const char* shown) {
    doc(cli.add_option(names, value, text)
            ->envname(env(env_name))
            ->check(CLI::Range(0LL, 1LL << 40).description(""))
            ->capture_default_str(),
        kLimits, "BYTES", shown);
  };
  limit("--limit-request-line", s.limit_request_line, "Bytes in the request line (400 beyond)",
        "LIMIT_REQUEST_LINE", "4094");
  doc(cli.add_option("--limit-request-fields", s.limit_request_fields,
                     "Header fields in a request (431 beyond)")
          ->envname(env("LIMIT_REQUEST_FIELDS"))
          ->check(CLI::Range(0LL, 1LL << 40).description(""))
          ->capture_default_str(),
      kLimits, "INT", "100");
  limit("--limit-request-field-size,--limit-request-field_size", s.limit_request_field_size,
        "Bytes in one header field (431 beyond)", "LIMIT_REQUEST_FIELD_SIZE", "8190");
  limit("--limit-request-body", s.limit_request_body, "Body bytes (413 beyond); 0 unlimited",
        "LIMIT_REQUEST_BODY", "1048576");

  doc(cli.add_option("--access-logfile", s.access_logfile,
                     "Access log file, '-' for stdout; no access log if unset")
          ->envname(env("ACCESS_LOGFILE")),
      kLogging, "FILE");
  doc(cli.add_option("--access-logformat", s.access_logformat, "Apache-style access log format")
          ->envname(env("ACCESS_LOGFORMAT"))
          ->capture_default_str(),
      kLogging, "FORMAT", "Apache combined");
  doc(cli.add_option("--error-logfile,--log-file", s.error_logfile,
                     "Error log file, '-' for stderr")
          ->envname(env("ERROR_LOGFILE"))
          ->capture_default_str(),
      kLogging, "FILE", "-");
  doc(cli.add_option("--log-level", s.loglevel, "debug, info, warning, error or critical")
          ->envname(env("LOG_LEVEL"))
          ->capture_default_str(),
      kLogging, "LEVEL", "info");

  doc(cli.add_option("--shared-memory", s.shared_memory,
                     "Size of the shared-memory arena the master creates for forksafe::shared "
                     "(e.g. 64M; 0: none)")
          ->envname(env("SHARED_MEMORY"))
          ->capture_default_str(),
      kShared, "SIZE", "64M");
  doc(cli.add_option("--shared-store", s.shared_store,
                     "Keep forksafe::shared in Redis instead: redis://HOST[:PORT][/DB], "
                     "unix:PATH[?db=N], or in a file arena: shm:PATH")
          ->envname(env("SHARED_STORE")),
      kShared, "URL");

  doc(cli.add_flag("--verify{forksafe-verify.json}", s.verify_report,
                   "Record which globals each worker changes after fork and write the report; "
                   "the value only after '=' (default file forksafe-verify.json)")
          ->envname(env("VERIFY")),
      kVerify, "[=REPORT.json]");
  doc(cli.add_option("--static-report", s.static_report,
                     "With --verify: cross-check against this forksafe-check JSON report")
          ->envname(env("STATIC_REPORT")),
      kVerify, "FINDINGS.json");
  doc(cli.add_option("--verify-heap-limit", s.verify_heap_limit,
                     "With --verify: track at most this many bytes of heap reachable from the "
                     "app's globals (0: do not look behind pointers)")
          ->envname(env("VERIFY_HEAP_LIMIT"))
          ->capture_default_str(),
      kVerify, "SIZE", "64M");
  doc(cli.add_option("--verify-fail-on", s.verify_fail_on,
                     "With --verify: exit 6 at a graceful stop if the traffic mutated any global "
                     "(mutation) or any global forksafe-check did not flag (dynamic-only)")
          ->envname(env("VERIFY_FAIL_ON")),
      kVerify, "MODE");
  doc(cli.add_option("--require-clean", s.require_clean,
                     "Refuse more than one worker while this forksafe-check JSON report has "
                     "per-worker-state errors")
          ->envname(env("REQUIRE_CLEAN")),
      kVerify, "FINDINGS.json");

  doc(cli.add_flag("--check-config", s.check_config,
                   "Run every start-up check (the app is loaded), then exit without serving"),
      kDebugging, "");
  doc(cli.add_flag("--print-config", s.print_config,
                   "Print the effective settings in config-file syntax, then exit"),
      kDebugging, "");
}

constexpr const char* kDescription =
    "forksafe-serve: a pre-fork HTTP application server for C++ handler libraries";

}  // namespace

std::string render_help() {
  Settings s;
  CLI::App cli{kDescription, "forksafe-serve"};
  register_options(cli, s);
  return cli_usage::help(cli);
}

std::string render_man() {
  Settings s;
  CLI::App cli{kDescription, "forksafe-serve"};
  register_options(cli, s);
  return cli_usage::man(cli);
}

std::vector<std::string> long_option_names() {
  Settings s;
  CLI::App cli{kDescription, "forksafe-serve"};
  register_options(cli, s);
  return cli_usage::long_names(cli);
}

ParseOutcome parse_settings(const std::vector<std::string>& argv, Settings* out,
                            std::string* help_text) {
  Settings s;
  s.workers = default_workers();
  s.access_logformat = std::string(AccessLog::kCombined);
  CLI::App cli{kDescription, "forksafe-serve"};
  register_options(cli, s);
  if (help_text) *help_text = cli_usage::help(cli);
  std::vector<std::string> forward(argv.begin() + (argv.empty() ? 0 : 1), argv.end());
  ParseOutcome outcome;
  // Our own reading first: CLI11 would blame every argument after a typo (the app path too).
  if (std::string problem = cli_usage::diagnose(cli, forward); !problem.empty()) {
    outcome.exit_code = kExitUsage;
    outcome.error = problem;
    return outcome;
  }
  std::vector<std::string> args(forward.rbegin(), forward.rend());
  try {
    cli.parse(args);
  } catch (const CLI::CallForHelp&) {
    outcome.exit_code = kExitOk;
    return outcome;
  } catch (const CLI::ParseError& e) {
    outcome.exit_code = kExitUsage;
    outcome.error = cli_usage::reword(cli, e);
    return outcome;
  }
  if (s.bind.empty()) s.bind.push_back("127.0.0.1:8000");
  if (auto problem = validate(s); !problem.empty()) {
    outcome.exit_code = kExitUsage;
    outcome.error = problem;
    return outcome;
  }
  if (s.app_path.empty() && !s.print_config) {
    outcome.exit_code = kExitUsage;
    outcome.error = "cannot start without an APP library: forksafe-serve [options] APP.so";
    return outcome;
  }
  auto* config_opt = cli.get_config_ptr();
  if (config_opt && config_opt->count() > 0) s.config_file = config_opt->as<std::string>();
  if (s.print_config) s.config_text = cli.config_to_str(true, false);
  *out = std::move(s);
  outcome.run = true;
  return outcome;
}

}  // namespace forksafe::serve
