// forksafe-serve entry point: parse settings, handle --print-config/--check-config, run the master.
#include <fmt/format.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "app_loader.hpp"
#include "exit_codes.hpp"
#include "master.hpp"
#include "preflight.hpp"
#include "settings.hpp"
#include "shared_arena.hpp"
#include "verify/heap_blocks.hpp"

namespace {

/// --check-config proves the --verify report writable the way a start does (by writing it), then
/// puts back what was there, so a check never clobbers the last run's report.
class KeepFile {
 public:
  explicit KeepFile(std::string path) : path_(std::move(path)) {
    if (path_.empty()) return;
    std::ifstream in(path_, std::ios::binary);
    existed_ = static_cast<bool>(in);
    if (existed_) content_.assign(std::istreambuf_iterator<char>(in), {});
  }
  KeepFile(const KeepFile&) = delete;
  KeepFile& operator=(const KeepFile&) = delete;
  ~KeepFile() {
    if (path_.empty()) return;
    if (existed_)
      std::ofstream(path_, std::ios::binary | std::ios::trunc) << content_;
    else
      ::unlink(path_.c_str());
  }

 private:
  std::string path_;
  bool existed_ = false;
  std::string content_;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace forksafe::serve;
  std::vector<std::string> args(argv, argv + argc);
  Settings settings;
  std::string help;
  ParseOutcome parsed = parse_settings(args, &settings, &help);
  if (!parsed.run) {
    if (parsed.error.empty()) {
      std::fputs(help.c_str(), stdout);  // --help
    } else {
      fmt::print(stderr, "forksafe-serve: error: {}\n", parsed.error);
    }
    return parsed.exit_code;
  }
  if (settings.print_config) {
    std::fputs(settings.config_text.c_str(), stdout);
    return kExitOk;
  }
  if (settings.check_config) {
    // The checks of a real start (preflight.hpp), without binding or forking workers.
    Level level = Level::kInfo;
    parse_level(settings.loglevel, &level);
    ErrorLog log("-", level);
    std::string error;
    log.reopen(&error);
    // Absolute, because check_start changes into --chdir before it writes the report.
    std::string report = settings.verify_report;
    if (!report.empty() && report[0] != '/') {
      char cwd[PATH_MAX];
      std::string base = ::getcwd(cwd, sizeof cwd) ? cwd : ".";
      if (!settings.chdir.empty())
        base = settings.chdir[0] == '/' ? settings.chdir : base + "/" + settings.chdir;
      report = base + "/" + report;
    }
    KeepFile keep_report(report);
    verify::Verification verify;
    LoadedApp app;
    StartCheck check;
    SharedArena shared;  // the app's forksafe::shared objects open as they would under the master
    if (!check_start(settings, log, verify, shared, &app, &check)) {
      fmt::print(stderr, "forksafe-serve: error: {}\n", check.error);
      return check.exit_code;
    }
    fmt::print("forksafe-serve: configuration OK; app '{}' has {} routes\n", settings.app_path,
               check.routes);
    return kExitOk;
  }
  if (!settings.verify_report.empty() && settings.verify_heap_limit_bytes > 0)
    verify::restart_with_zero_filling_malloc(argv);  // docs/verify.md, "State behind pointers"
  Master master(std::move(settings), std::move(args));
  return master.run();
}
