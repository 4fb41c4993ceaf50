// Start-up checks run before any listener is bound; --check-config runs exactly these.
#ifndef FORKSAFE_SERVE_PREFLIGHT_HPP
#define FORKSAFE_SERVE_PREFLIGHT_HPP

#include <string>

#include "app_loader.hpp"
#include "log.hpp"
#include "settings.hpp"
#include "shared_arena.hpp"
#include "verify/verification.hpp"

namespace forksafe::serve {

/// The outcome of check_start: why the server must not start (an exit code from exit_codes.hpp
/// and a one-line message), or the number of routes the app registered.
struct StartCheck {
  int exit_code = 0;
  std::string error;
  std::size_t routes = 0;
};

/// Everything that can be checked before binding, in the order the start needs it:
///   1. the error and access logs open;
///   2. --chdir is entered (this process changes directory, as the master always did);
///   3. the --pid file's directory is writable;
///   4. the app file exists and is an ELF shared object for this machine (libelf);
///   5. forksafe::shared's store is opened (`shared`: the shm arena or the Redis URL), before any
///      load of the app, whose namespace-scope shared objects open it;
///   6. in a short-lived child: --group/--user are switched to as a worker would, then (without
///      --preload) the app is dlopened and registered — its init hooks are not run — and an app
///      declaring FORKSAFE_REQUIRE_PRELOAD is refused; the master's memory stays untouched;
///   7. the --verify, --static-report and --require-clean settings (`verify` is configured);
///   8. with --preload, the app is loaded into `*preloaded` with its init hooks.
/// Returns false with `check` filled at the first failure.
bool check_start(const Settings& s, ErrorLog& log, verify::Verification& verify,
                 SharedArena& shared, LoadedApp* preloaded, StartCheck* check);

/// Switches to --group and --user (a worker after fork; the check in a child above).
bool switch_identity(const Settings& s, std::string* error);

/// The app file's ELF header matches this process (class, machine) and it is a shared object.
bool check_app_file(const std::string& path, std::string* error);

}  // namespace forksafe::serve

#endif  // FORKSAFE_SERVE_PREFLIGHT_HPP
