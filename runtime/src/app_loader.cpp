// App library loading: dlopen, the ABI check, registration, init hooks, readable loader errors.
#include "app_loader.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cctype>

#include "verify/elf_symbols.hpp"

namespace forksafe::serve {

namespace {

template <class Hooks>
bool run_hooks(const Hooks& hooks, const char* what, std::string* error) {
  for (const auto& hook : hooks) {
    try {
      hook();
    } catch (const std::exception& e) {
      *error = fmt::format("cannot run {} hook: {}", what, e.what());
      return false;
    } catch (...) {
      *error = fmt::format("cannot run {} hook: unknown exception", what);
      return false;
    }
  }
  return true;
}

bool symbol_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$';
}

/// Every "_Z..." token of `text` demangled (a name that does not demangle stays as it is).
std::string demangle_all(const std::string& text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    bool token_start = text.compare(i, 2, "_Z") == 0 && (i == 0 || !symbol_char(text[i - 1]));
    if (!token_start) {
      out += text[i++];
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && symbol_char(text[j])) ++j;
    out += verify::demangle(text.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

std::string describe_loader_error(const std::string& message) {
  const std::string marker = ": undefined symbol: ";
  std::size_t at = message.find(marker);
  if (at == std::string::npos) return demangle_all(message);
  std::string needed_by = message.substr(0, at);
  std::string symbol = message.substr(at + marker.size());
  std::size_t end = symbol.find_first_of(" ,\t");
  std::string rest = end == std::string::npos ? "" : symbol.substr(end);
  if (end != std::string::npos) symbol.resize(end);
  return fmt::format("undefined symbol {}, needed by {}{}", verify::demangle(symbol), needed_by,
                     demangle_all(rest));
}

LoadedApp::LoadedApp(LoadedApp&& other) noexcept
    : handle_(other.handle_),
      app_(std::move(other.app_)),
      preload_reason_(std::move(other.preload_reason_)) {
  other.handle_ = nullptr;
}

LoadedApp& LoadedApp::operator=(LoadedApp&& other) noexcept {
  if (this != &other) {
    unload();
    handle_ = other.handle_;
    app_ = std::move(other.app_);
    preload_reason_ = std::move(other.preload_reason_);
    other.handle_ = nullptr;
  }
  return *this;
}

LoadedApp::~LoadedApp() { unload(); }

void LoadedApp::unload() {
  app_.reset();
  preload_reason_.clear();
  if (handle_) ::dlclose(handle_);
  handle_ = nullptr;
}

bool LoadedApp::load(const std::string& path, std::string* error, bool run_init) {
  unload();
  // A bare name would make dlopen search the library path; "app.so" means the file here.
  std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  // RTLD_NODELETE: unload() drops the App and the handle but never unmaps the library. Init code
  // may leave threads running in it (a --preload master exits with them still there), and
  // atexit and thread_local destructors it registered run after unload(); with the code
  // unmapped each of them jumps into nothing. A process loads its app once, so nothing piles up.
  handle_ = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (!handle_) {
    *error = fmt::format("cannot load app '{}': {}", path, describe_loader_error(::dlerror()));
    return false;
  }
  using AbiFn = int (*)();
  using RegisterFn = void (*)(App&);
  auto abi = reinterpret_cast<AbiFn>(::dlsym(handle_, "forksafe_app_abi_version"));
  auto reg = reinterpret_cast<RegisterFn>(::dlsym(handle_, "forksafe_app_register"));
  if (!abi || !reg) {
    *error = fmt::format(
        "cannot load app '{}': no FORKSAFE_APP entry point (forksafe_app_register)", path);
    unload();
    return false;
  }
  if (abi() != FORKSAFE_APP_ABI_VERSION) {
    *error = fmt::format("cannot load app '{}': built for handler ABI {}, this server speaks {}",
                         path, abi(), FORKSAFE_APP_ABI_VERSION);
    unload();
    return false;
  }
  // Optional (FORKSAFE_REQUIRE_PRELOAD): apps without it, and older apps, run either way.
  using ReasonFn = const char* (*)();
  if (auto reason = reinterpret_cast<ReasonFn>(::dlsym(handle_, "forksafe_app_requires_preload"))) {
    const char* text = reason();
    preload_reason_ = text && *text ? text : "the app declares FORKSAFE_REQUIRE_PRELOAD";
  }
  app_ = std::make_unique<App>();
  try {
    reg(*app_);
  } catch (const std::exception& e) {
    *error = fmt::format("cannot register app '{}': {}", path, e.what());
    unload();
    return false;
  } catch (...) {
    *error = fmt::format("cannot register app '{}': unknown exception", path);
    unload();
    return false;
  }
  if (run_init && !run_hooks(app_->init_hooks(), "init", error)) {
    unload();
    return false;
  }
  return true;
}

bool LoadedApp::run_worker_init(std::string* error) {
  return run_hooks(app_->worker_init_hooks(), "worker-init", error);
}

void LoadedApp::run_worker_exit(std::string* error) {
  for (const auto& hook : app_->worker_exit_hooks()) {
    std::string e;
    if (!run_hooks(std::vector<Hook>{hook}, "worker-exit", &e)) *error = e;
  }
}

}  // namespace forksafe::serve
