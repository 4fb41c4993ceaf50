// forksafe-serve entry point: parse settings, handle --print-config/--check-config, run the master.
#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <vector>

#include "app_loader.hpp"
#include "exit_codes.hpp"
#include "master.hpp"
#include "settings.hpp"
#include "verify/heap_blocks.hpp"

int main(int argc, char** argv) {
  using namespace forksafe::serve;
  std::vector<std::string> args(argv, argv + argc);
  Settings settings;
  std::string help;
  ParseOutcome parsed = parse_settings(args, &settings, &help);
  if (!parsed.run) {
    if (parsed.error.empty()) {
      std::fputs(help.c_str(), stdout);
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
    LoadedApp app;
    std::string error;
    if (!app.load(settings.app_path, &error)) {
      fmt::print(stderr, "forksafe-serve: error: {}\n", error);
      return kExitAppLoad;
    }
    fmt::print("forksafe-serve: configuration OK; app '{}' has {} routes\n", settings.app_path,
               app.app().route_count());
    return kExitOk;
  }
  if (!settings.verify_report.empty() && settings.verify_heap_limit_bytes > 0)
    verify::restart_with_zero_filling_malloc(argv);  // docs/verify.md, "State behind pointers"
  Master master(std::move(settings), std::move(args));
  return master.run();
}
