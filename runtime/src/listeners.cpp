// Listener creation and inheritance (systemd socket activation and USR2 re-exec).
#include "listeners.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cstdlib>

namespace forksafe::serve {

namespace {

bool set_flags(int fd) {
  int fl = ::fcntl(fd, F_GETFL);
  if (fl < 0 || ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return false;
  return ::fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
}

Listener bind_unix(const std::string& spec, const std::string& path, int backlog,
                   std::string* error) {
  Listener l;
  sockaddr_un addr{};
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    *error = fmt::format("cannot bind {}: path is empty or too long", spec);
    return l;
  }
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) {
    *error = fmt::format("cannot create socket for {}: {}", spec, errno_text(errno));
    return l;
  }
  struct stat st{};
  if (::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(path.c_str());
  addr.sun_family = AF_UNIX;
  path.copy(addr.sun_path, path.size());
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 ||
      ::listen(fd.get(), backlog) < 0) {
    *error = fmt::format("cannot bind {}: {}", spec, errno_text(errno));
    return l;
  }
  l.fd = std::move(fd);
  l.name = spec;
  l.is_unix = true;
  return l;
}

}  // namespace

Listener bind_listener(const std::string& spec, int backlog, std::string* error) {
  if (spec.rfind("unix:", 0) == 0) return bind_unix(spec, spec.substr(5), backlog, error);
  Listener l;
  std::string host, port;
  if (!spec.empty() && spec[0] == '[') {
    std::size_t close = spec.find(']');
    if (close == std::string::npos || close + 1 >= spec.size() || spec[close + 1] != ':') {
      *error = fmt::format("cannot parse bind address '{}': expected [ipv6]:port", spec);
      return l;
    }
    host = spec.substr(1, close - 1);
    port = spec.substr(close + 2);
  } else {
    std::size_t colon = spec.rfind(':');
    if (colon == std::string::npos) {
      *error = fmt::format("cannot parse bind address '{}': expected host:port or unix:PATH", spec);
      return l;
    }
    host = spec.substr(0, colon);
    port = spec.substr(colon + 1);
  }
  char* end = nullptr;
  long port_number = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || port_number < 0 || port_number > 65535) {
    *error = fmt::format("cannot parse bind address '{}': bad port '{}'", spec, port);
    return l;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) {
    *error = fmt::format("cannot resolve bind address '{}': {}", spec, gai_strerror(rc));
    return l;
  }
  std::string last_error = "no usable address";
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) {
      last_error = errno_text(errno);
      continue;
    }
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ai->ai_family == AF_INET6)
      ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (::bind(fd.get(), ai->ai_addr, ai->ai_addrlen) < 0 || ::listen(fd.get(), backlog) < 0) {
      last_error = errno_text(errno);
      continue;
    }
    l.fd = std::move(fd);
    l.name = describe_listener(l.fd.get());
    break;
  }
  ::freeaddrinfo(res);
  if (!l.fd) *error = fmt::format("cannot bind {}: {}", spec, last_error);
  return l;
}

bool adopt_inherited(std::vector<Listener>* out, std::string* error) {
  std::vector<int> fds;
  if (const char* inherited = std::getenv(kInheritedFdsEnv)) {
    std::string list = inherited;
    std::size_t pos = 0;
    while (pos < list.size()) {
      std::size_t comma = list.find(',', pos);
      if (comma == std::string::npos) comma = list.size();
      fds.push_back(std::atoi(list.substr(pos, comma - pos).c_str()));
      pos = comma + 1;
    }
  } else if (const char* pid = std::getenv("LISTEN_PID"); pid && std::atol(pid) == ::getpid()) {
    const char* n = std::getenv("LISTEN_FDS");
    int count = n ? std::atoi(n) : 0;
    for (int i = 0; i < count; ++i) fds.push_back(3 + i);  // SD_LISTEN_FDS_START
  }
  ::unsetenv(kInheritedFdsEnv);
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_FDNAMES");
  for (int fd : fds) {
    int type = 0;
    socklen_t len = sizeof type;
    if (fd < 3 || ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM ||
        !set_flags(fd)) {
      *error = fmt::format("cannot adopt inherited descriptor {}: not a stream socket", fd);
      return false;
    }
    Listener l;
    l.fd = UniqueFd(fd);
    l.name = describe_listener(fd);
    l.is_unix = l.name.rfind("unix:", 0) == 0;
    out->push_back(std::move(l));
  }
  return !fds.empty();
}

bool open_listeners(const std::vector<std::string>& specs, int backlog, std::vector<Listener>* out,
                    std::string* error) {
  if (adopt_inherited(out, error)) return true;
  if (!error->empty()) return false;
  for (const std::string& spec : specs) {
    Listener l = bind_listener(spec, backlog, error);
    if (!l.fd) return false;
    out->push_back(std::move(l));
  }
  return true;
}

std::string describe_listener(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0)
    return fmt::format("fd:{}", fd);
  char host[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    return fmt::format("http://{}:{}", host, ntohs(a->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    return fmt::format("http://[{}]:{}", host, ntohs(a->sin6_port));
  }
  if (ss.ss_family == AF_UNIX) {
    auto* a = reinterpret_cast<sockaddr_un*>(&ss);
    return fmt::format("unix:{}", a->sun_path);
  }
  return fmt::format("fd:{}", fd);
}

}  // namespace forksafe::serve
