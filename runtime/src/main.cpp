// forksafe-serve entry point: parse settings, handle --print-config/--check-config, run the master.
#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <vector>

#include "app_loader.hpp"
#include "exit_codes.hpp"
#include "master.hpp"
#include "preflight.hpp"
#include "settings.hpp"

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
    verify::Verification verify;
    LoadedApp app;
    StartCheck check;
    if (!check_start(settings, log, verify, &app, &check)) {
      fmt::print(stderr, "forksafe-serve: error: {}\n", check.error);
      return check.exit_code;
    }
    fmt::print("forksafe-serve: configuration OK; app '{}' has {} routes\n", settings.app_path,
               check.routes);
    return kExitOk;
  }
  Master master(std::move(settings), std::move(args));
  return master.run();
}
