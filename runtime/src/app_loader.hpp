// Loads an app library: dlopen, ABI check, FORKSAFE_APP registration, init hooks.
#ifndef FORKSAFE_SERVE_APP_LOADER_HPP
#define FORKSAFE_SERVE_APP_LOADER_HPP

#include <memory>
#include <string>

#include "forksafe/app.hpp"

namespace forksafe::serve {

/// A loaded app. The App (whose handlers point into the library) is destroyed before dlclose,
/// which does not unmap the library (RTLD_NODELETE; see load()).
class LoadedApp {
 public:
  LoadedApp() = default;
  LoadedApp(const LoadedApp&) = delete;
  LoadedApp& operator=(const LoadedApp&) = delete;
  LoadedApp(LoadedApp&& other) noexcept;
  LoadedApp& operator=(LoadedApp&& other) noexcept;
  ~LoadedApp();

  /// dlopens `path`, checks the ABI version, runs the FORKSAFE_APP body and then (with
  /// `run_init`) every init hook. On failure returns false with a one-line `error` ("cannot load
  /// app 'x.so': ..."; loader messages demangled, an undefined symbol with the library needing it).
  bool load(const std::string& path, std::string* error, bool run_init = true);
  /// Runs worker-init hooks (after fork); false with `error` if one throws.
  bool run_worker_init(std::string* error);
  /// Runs worker-exit hooks; exceptions are reported in `error` but never stop the exit.
  void run_worker_exit(std::string* error);

  bool loaded() const { return app_ != nullptr; }
  const App& app() const { return *app_; }
  /// FORKSAFE_REQUIRE_PRELOAD's reason; empty when the app runs either way.
  const std::string& preload_reason() const { return preload_reason_; }

 private:
  void unload();

  void* handle_ = nullptr;
  std::unique_ptr<App> app_;
  std::string preload_reason_;
};

/// dlerror() text made readable: "_Z..." names demangled, and "LIB: undefined symbol: NAME" as
/// "undefined symbol NAME, needed by LIB".
std::string describe_loader_error(const std::string& message);

}  // namespace forksafe::serve

#endif  // FORKSAFE_SERVE_APP_LOADER_HPP
