// Command-line, config-file and environment parsing for forksafe-serve (names follow Gunicorn's).
#include "settings.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <cstdlib>
#include <string_view>

#include "exit_codes.hpp"
#include "log.hpp"

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
  Level level;
  if (!parse_level(s.loglevel, &level))
    return fmt::format(
        "cannot use log level '{}': expected debug, info, warning, error or critical", s.loglevel);
  return {};
}

}  // namespace

ParseOutcome parse_settings(const std::vector<std::string>& argv, Settings* out,
                            std::string* help_text) {
  Settings s;
  s.workers = default_workers();
  s.access_logformat = std::string(AccessLog::kCombined);
  CLI::App cli{"forksafe-serve: a pre-fork HTTP application server for C++ handler libraries",
               "forksafe-serve"};
  cli.set_config("--config,-c", "",
                 "Read settings from this file (TOML/INI; keys are option names)");
  cli.allow_config_extras(CLI::config_extras_mode::error);  // a typo in a key must not be ignored
  cli.add_option("APP", s.app_path, "The app shared library (built with forksafe_add_app)")
      ->envname("FORKSAFE_APP");
  auto env = [](const char* name) { return fmt::format("FORKSAFE_{}", name); };
  cli.add_option("-b,--bind", s.bind, "Listen on host:port, [ipv6]:port or unix:PATH (repeatable)")
      ->envname(env("BIND"))
      ->default_str("127.0.0.1:8000")
      ->allow_extra_args(false);
  cli.add_option("--backlog", s.backlog, "Listen queue length")
      ->envname(env("BACKLOG"))
      ->check(CLI::Range(0LL, 1LL << 40))
      ->capture_default_str();
  cli.add_option("-w,--workers", s.workers, "Worker processes (default $WEB_CONCURRENCY or 1)")
      ->envname(env("WORKERS"))
      ->capture_default_str();
  cli.add_option("-k,--worker-class", s.worker_class, "Worker type: event, sync or threads")
      ->envname(env("WORKER_CLASS"))
      ->check(CLI::IsMember({"event", "sync", "threads"}))
      ->capture_default_str();
  cli.add_option("--threads", s.threads, "Handler threads per worker (-k threads)")
      ->envname(env("THREADS"))
      ->capture_default_str();
  cli.add_option("--worker-connections", s.worker_connections,
                 "Open connections per worker (event, threads)")
      ->envname(env("WORKER_CONNECTIONS"))
      ->capture_default_str();
  cli.add_option("-t,--timeout", s.timeout, "Kill a worker silent for this many seconds (0: never)")
      ->envname(env("TIMEOUT"))
      ->capture_default_str();
  cli.add_option("--graceful-timeout", s.graceful_timeout,
                 "Seconds to drain on TERM before killing")
      ->envname(env("GRACEFUL_TIMEOUT"))
      ->capture_default_str();
  cli.add_option("--keep-alive", s.keep_alive, "Seconds an idle keep-alive connection stays open")
      ->envname(env("KEEP_ALIVE"))
      ->capture_default_str();
  cli.add_option("--header-timeout", s.header_timeout,
                 "Seconds a client has to send a request's headers")
      ->envname(env("HEADER_TIMEOUT"))
      ->capture_default_str();
  cli.add_option("--max-requests", s.max_requests,
                 "Restart a worker after this many requests (0: never)")
      ->envname(env("MAX_REQUESTS"))
      ->capture_default_str();
  cli.add_option("--max-requests-jitter", s.max_requests_jitter,
                 "Add up to this many to --max-requests")
      ->envname(env("MAX_REQUESTS_JITTER"))
      ->capture_default_str();
  cli.add_flag("--preload", s.preload, "Load the app in the master before forking")
      ->envname(env("PRELOAD"));
  cli.add_option("--limit-request-line", s.limit_request_line,
                 "Max request line bytes (400 beyond)")
      ->envname(env("LIMIT_REQUEST_LINE"))
      ->check(CLI::Range(0LL, 1LL << 40))
      ->capture_default_str();
  cli.add_option("--limit-request-fields", s.limit_request_fields, "Max header fields (431 beyond)")
      ->envname(env("LIMIT_REQUEST_FIELDS"))
      ->check(CLI::Range(0LL, 1LL << 40))
      ->capture_default_str();
  cli.add_option("--limit-request-field-size,--limit-request-field_size",
                 s.limit_request_field_size, "Max bytes of one header field (431 beyond)")
      ->envname(env("LIMIT_REQUEST_FIELD_SIZE"))
      ->check(CLI::Range(0LL, 1LL << 40))
      ->capture_default_str();
  cli.add_option("--limit-request-body", s.limit_request_body, "Max body bytes (413 beyond)")
      ->envname(env("LIMIT_REQUEST_BODY"))
      ->check(CLI::Range(0LL, 1LL << 40))
      ->capture_default_str();
  cli.add_option("--access-logfile", s.access_logfile,
                 "Access log file ('-' for stdout; off if unset)")
      ->envname(env("ACCESS_LOGFILE"));
  cli.add_option("--access-logformat", s.access_logformat, "Apache-style access log format")
      ->envname(env("ACCESS_LOGFORMAT"))
      ->capture_default_str();
  cli.add_option("--error-logfile,--log-file", s.error_logfile, "Error log file ('-' for stderr)")
      ->envname(env("ERROR_LOGFILE"))
      ->capture_default_str();
  cli.add_option("--log-level", s.loglevel, "debug, info, warning, error or critical")
      ->envname(env("LOG_LEVEL"))
      ->capture_default_str();
  cli.add_option("-p,--pid", s.pidfile, "Write the master's PID to this file")->envname(env("PID"));
  cli.add_option("-u,--user", s.user, "Run workers as this user")->envname(env("USER"));
  cli.add_option("-g,--group", s.group, "Run workers as this group")->envname(env("GROUP"));
  cli.add_option("--chdir", s.chdir, "Change to this directory before loading the app")
      ->envname(env("CHDIR"));
  cli.add_option("--metrics-bind", s.metrics_bind, "Serve Prometheus metrics on host:port")
      ->envname(env("METRICS_BIND"));
  cli.add_flag("--verify{forksafe-verify.json}", s.verify_report,
               "Record which globals each worker mutates after fork; write the report to "
               "--verify=REPORT.json (default forksafe-verify.json)")
      ->envname(env("VERIFY"));
  cli.add_option("--static-report", s.static_report,
                 "With --verify: cross-check against this forksafe-check JSON report")
      ->envname(env("STATIC_REPORT"));
  cli.add_option("--verify-heap-limit", s.verify_heap_limit,
                 "With --verify: track at most this many bytes of heap reachable from the app's "
                 "globals (default 64M; 0: do not look behind pointers)")
      ->envname(env("VERIFY_HEAP_LIMIT"));
  cli.add_option("--verify-fail-on", s.verify_fail_on,
                 "With --verify: exit 6 at a graceful stop if the traffic mutated any global "
                 "(mutation) or any global forksafe-check did not flag (dynamic-only)")
      ->envname(env("VERIFY_FAIL_ON"));
  cli.add_option("--require-clean", s.require_clean,
                 "Refuse more than one worker if this forksafe-check JSON report has "
                 "per-worker-state errors")
      ->envname(env("REQUIRE_CLEAN"));
  cli.add_flag("--check-config", s.check_config, "Check the settings and load the app, then exit");
  cli.add_flag("--print-config", s.print_config, "Print the effective settings, then exit");

  if (help_text) *help_text = cli.help();
  std::vector<std::string> args(argv.rbegin(), argv.rend() - (argv.empty() ? 0 : 1));
  ParseOutcome outcome;
  try {
    cli.parse(args);
  } catch (const CLI::CallForHelp&) {
    outcome.exit_code = kExitOk;
    return outcome;
  } catch (const CLI::ParseError& e) {
    outcome.exit_code = kExitUsage;
    outcome.error = e.what();
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
