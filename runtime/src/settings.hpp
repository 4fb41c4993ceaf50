// Every forksafe-serve setting, parsed with CLI11 from flags, a config file and FORKSAFE_*
// variables.
#ifndef FORKSAFE_SERVE_SETTINGS_HPP
#define FORKSAFE_SERVE_SETTINGS_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace forksafe::serve {

struct Settings {
  std::string app_path;
  std::vector<std::string> bind;  // "host:port", "[v6]:port", "unix:PATH"
  int backlog = 2048;
  int workers = 1;
  std::string worker_class = "event";  // event | sync | threads
  int threads = 4;
  int worker_connections = 1000;
  double timeout = 30;
  double graceful_timeout = 30;
  double keep_alive = 2;
  double header_timeout = 10;
  long max_requests = 0;
  long max_requests_jitter = 0;
  bool preload = false;
  std::size_t limit_request_line = 4094;
  std::size_t limit_request_fields = 100;
  std::size_t limit_request_field_size = 8190;
  std::size_t limit_request_body = 1024 * 1024;
  std::string access_logfile;  // empty: off; "-": stdout
  std::string access_logformat;
  std::string error_logfile = "-";
  std::string loglevel = "info";
  std::string pidfile;
  std::string user;
  std::string group;
  std::string chdir;
  std::string proc_name;  // --name: "NAME-master" / "NAME-worker" in ps
  std::string metrics_bind;
  std::string config_file;
  bool check_config = false;
  bool print_config = false;
  std::string config_text;  // filled for --print-config
  // --verify (runtime/src/verify/): report path (empty: off), checker findings to cross-check
  // and to refuse multi-worker runs with.
  std::string verify_report;
  std::string static_report;
  std::string require_clean;
  // forksafe::shared (docs/shared-state.md): the shm arena's size ("0": none) and, instead of it,
  // a Redis URL the workers connect to.
  std::string shared_memory = "64M";
  std::string shared_store;
  // --verify-heap-limit: bytes of heap blocks reachable from the app's globals that are tracked
  // (0: heap tracking off); --verify-fail-on: "", "mutation" or "dynamic-only" (exit status).
  std::string verify_heap_limit = "64M";
  std::uint64_t verify_heap_limit_bytes = 64u << 20;
  std::string verify_fail_on;
};

/// Outcome of parsing: either run with `settings`, or exit with `exit_code` (help, errors, ...).
struct ParseOutcome {
  bool run = false;
  int exit_code = 0;
  std::string error;  // one line, already worded for the user; empty for help/version
};

/// Parses argv (argv[0] excluded is fine: pass all of argv). Never prints; the caller does.
ParseOutcome parse_settings(const std::vector<std::string>& argv, Settings* out,
                            std::string* help_text);

/// --help: the options in groups like Gunicorn's, each with a value hint and its default.
std::string render_help();
/// The man page (roff) generated from the same option table; docs/forksafe-serve.1 is its output.
std::string render_man();
/// Every long option name with its dashes ("--workers"), aliases included.
std::vector<std::string> long_option_names();

}  // namespace forksafe::serve

#endif  // FORKSAFE_SERVE_SETTINGS_HPP
