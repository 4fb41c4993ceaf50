// Start-up checks before binding (see preflight.hpp): the same code for the start and
// --check-config, so both refuse the same cases with the same words.
#include "preflight.hpp"

#include <elf.h>
#include <fcntl.h>
#include <gelf.h>
#include <grp.h>
#include <libelf.h>
#include <poll.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <memory>

#include "exit_codes.hpp"
#include "fd.hpp"

namespace forksafe::serve {

namespace {

struct ElfCloser {
  void operator()(Elf* e) const { ::elf_end(e); }
};

struct ElfIdentity {
  int elf_class = ELFCLASSNONE;
  int machine = EM_NONE;
  int type = ET_NONE;
  bool has_interpreter = false;
};

/// Reads the identity of an ELF file; false with a reason when it is not one.
bool read_identity(const std::string& path, ElfIdentity* out, std::string* reason) {
  ::elf_version(EV_CURRENT);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    *reason = errno_text(errno);
    return false;
  }
  std::unique_ptr<Elf, ElfCloser> elf(::elf_begin(fd.get(), ELF_C_READ, nullptr));
  GElf_Ehdr header;
  if (!elf || ::elf_kind(elf.get()) != ELF_K_ELF || !::gelf_getehdr(elf.get(), &header)) {
    *reason = "not an ELF file";
    return false;
  }
  out->elf_class = header.e_ident[EI_CLASS];
  out->machine = header.e_machine;
  out->type = header.e_type;
  std::size_t count = 0;
  if (::elf_getphdrnum(elf.get(), &count) == 0) {
    for (std::size_t i = 0; i < count; ++i) {
      GElf_Phdr ph;
      if (::gelf_getphdr(elf.get(), static_cast<int>(i), &ph) && ph.p_type == PT_INTERP)
        out->has_interpreter = true;
    }
  }
  return true;
}

std::string machine_name(int machine, int elf_class) {
  const char* name = nullptr;
  switch (machine) {
    case EM_X86_64:
      name = "x86-64";
      break;
    case EM_386:
      name = "i386";
      break;
    case EM_AARCH64:
      name = "AArch64";
      break;
    case EM_ARM:
      name = "ARM";
      break;
    case EM_RISCV:
      name = "RISC-V";
      break;
    case EM_PPC64:
      name = "PowerPC64";
      break;
    case EM_S390:
      name = "s390";
      break;
    default:
      break;
  }
  std::string bits = elf_class == ELFCLASS64 ? "64-bit" : elf_class == ELFCLASS32 ? "32-bit" : "?";
  return name ? fmt::format("{} {}", bits, name) : fmt::format("{} machine {}", bits, machine);
}

std::string directory_of(const std::string& path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool refuse(StartCheck* check, int code, std::string error) {
  check->exit_code = code;
  check->error = std::move(error);
  return false;
}

/// Step 5 of check_start: identity and (without --preload) dlopen + registration in a child.
bool check_in_child(const Settings& s, StartCheck* check) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0)
    return refuse(check, kExitRuntimeError,
                  fmt::format("cannot create a pipe to check the app: {}", errno_text(errno)));
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  pid_t pid = ::fork();
  if (pid < 0)
    return refuse(check, kExitRuntimeError,
                  fmt::format("cannot fork to check the app: {}", errno_text(errno)));
  if (pid == 0) {
    read_end.reset();
    std::string error;
    int code = kExitOk;
    LoadedApp app;
    if (!switch_identity(s, &error)) {
      code = kExitWorkerBoot;
    } else if (!s.preload && !app.load(s.app_path, &error, /*run_init=*/false)) {
      code = kExitAppLoad;
    } else if (!s.preload && !app.preload_reason().empty()) {
      code = kExitUsage;
      error = fmt::format("cannot start app '{}' without --preload: {}", s.app_path,
                          app.preload_reason());
    }
    if (code == kExitOk && app.loaded()) error = std::to_string(app.app().route_count());
    write_all(write_end.get(), error);
    ::_exit(code);  // no atexit handlers or static destructors of the app in a throwaway process
  }
  write_end.reset();
  std::string message;
  char buf[512];
  // Bounded like a booting worker: an app whose registration hangs would hang the start.
  const bool bounded = s.timeout > 0;
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<std::int64_t>(s.timeout * 1000));
  bool timed_out = false;
  for (;;) {
    int wait_ms = -1;
    if (bounded) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      wait_ms = static_cast<int>(std::max<std::int64_t>(0, left.count()));
    }
    pollfd pfd{read_end.get(), POLLIN, 0};
    int ready = ::poll(&pfd, 1, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    ssize_t n = ::read(read_end.get(), buf, sizeof buf);
    if (n > 0) {
      message.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out)
    return refuse(
        check, kExitAppLoad,
        fmt::format("cannot load app '{}': it did not finish loading within --timeout {} s",
                    s.app_path, s.timeout));
  if (WIFEXITED(status) && WEXITSTATUS(status) == kExitOk) {
    check->routes = std::strtoul(message.c_str(), nullptr, 10);
    return true;
  }
  if (WIFEXITED(status) && !message.empty()) return refuse(check, WEXITSTATUS(status), message);
  return refuse(check, kExitAppLoad,
                fmt::format("cannot load app '{}': the loading process died ({})", s.app_path,
                            WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "no message"));
}

}  // namespace

bool switch_identity(const Settings& s, std::string* error) {
  if (!s.group.empty()) {
    group* g = ::getgrnam(s.group.c_str());
    if (!g || ::setgid(g->gr_gid) < 0) {
      *error = fmt::format("cannot switch to group '{}': {}", s.group,
                           g ? errno_text(errno) : "no such group");
      return false;
    }
  }
  if (!s.user.empty()) {
    passwd* p = ::getpwnam(s.user.c_str());
    if (!p || (s.group.empty() && ::setgid(p->pw_gid) < 0) ||
        ::initgroups(p->pw_name, ::getgid()) < 0 || ::setuid(p->pw_uid) < 0) {
      *error = fmt::format("cannot switch to user '{}': {}", s.user,
                           p ? errno_text(errno) : "no such user");
      return false;
    }
  }
  return true;
}

bool check_app_file(const std::string& path, std::string* error) {
  struct stat st{};
  if (::stat(path.c_str(), &st) < 0) {
    *error = fmt::format("cannot load app '{}': {}", path, errno_text(errno));
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    *error = fmt::format("cannot load app '{}': not a regular file", path);
    return false;
  }
  ElfIdentity app;
  ElfIdentity self;
  std::string reason;
  if (!read_identity(path, &app, &reason)) {
    *error = fmt::format("cannot load app '{}': {}", path, reason);
    return false;
  }
  if (!read_identity("/proc/self/exe", &self, &reason))
    return true;  // no reference: dlopen decides
  if (app.machine != self.machine || app.elf_class != self.elf_class) {
    *error = fmt::format("cannot load app '{}': built for {}, this server runs on {}", path,
                         machine_name(app.machine, app.elf_class),
                         machine_name(self.machine, self.elf_class));
    return false;
  }
  if (app.type != ET_DYN || app.has_interpreter) {
    *error = fmt::format(
        "cannot load app '{}': an ELF {}, not a shared library (build it with forksafe_add_app)",
        path, app.type == ET_DYN || app.type == ET_EXEC ? "executable" : "object file");
    return false;
  }
  return true;
}

bool check_start(const Settings& s, ErrorLog& log, verify::Verification& verify,
                 SharedArena& shared, LoadedApp* preloaded, StartCheck* check) {
  std::string error;
  Level level = Level::kInfo;
  parse_level(s.loglevel, &level);
  if (ErrorLog error_log(s.error_logfile, level); !error_log.reopen(&error))
    return refuse(check, kExitUsage, error);
  if (AccessLog access(s.access_logfile, s.access_logformat); !access.reopen(&error))
    return refuse(check, kExitUsage, error);
  if (!s.chdir.empty() && ::chdir(s.chdir.c_str()) < 0)
    return refuse(check, kExitUsage,
                  fmt::format("cannot change directory to '{}': {}", s.chdir, errno_text(errno)));
  if (!s.pidfile.empty() && ::access(directory_of(s.pidfile).c_str(), W_OK | X_OK) < 0)
    return refuse(check, kExitUsage,
                  fmt::format("cannot write pid file '{}': {}", s.pidfile, errno_text(errno)));
  // A bare name means the file here, as for dlopen in LoadedApp::load.
  std::string file = s.app_path.find('/') == std::string::npos ? "./" + s.app_path : s.app_path;
  if (!check_app_file(file, &error)) {
    // Word it with the path as the user gave it.
    if (std::size_t at = error.find(file); file != s.app_path && at != std::string::npos)
      error.replace(at, file.size(), s.app_path);
    return refuse(check, kExitAppLoad, error);
  }
  // The arena exists before the app is first loaded (in the check child or, with --preload,
  // here): a namespace-scope forksafe::shared object opens it from the environment.
  if (!shared.open(s, &error)) return refuse(check, kExitUsage, error);
  if (!check_in_child(s, check)) return false;
  if (int code = 0; !verify.configure(s, log, &error, &code)) return refuse(check, code, error);
  if (s.preload && preloaded) {
    verify.before_preload();
    if (!preloaded->load(s.app_path, &error)) return refuse(check, kExitAppLoad, error);
    check->routes = preloaded->app().route_count();
    verify.after_preload(log);
  }
  return true;
}

}  // namespace forksafe::serve
