// Listing threads and descriptors from /proc/self and naming them (socket peers, file paths).
#include "verify/prefork.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace forksafe::serve::verify {

namespace {

std::set<int> list_numeric(const char* dir_path, int skip) {
  std::set<int> out;
  DIR* dir = ::opendir(dir_path);
  if (!dir) return out;
  const int own = ::dirfd(dir);
  while (dirent* e = ::readdir(dir)) {
    char* end = nullptr;
    long n = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0') continue;
    if (n == own || n == skip) continue;
    out.insert(static_cast<int>(n));
  }
  ::closedir(dir);
  return out;
}

std::string address_text(const sockaddr_storage& ss, socklen_t len) {
  char host[INET6_ADDRSTRLEN] = "";
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    return fmt::format("{}:{}", host, ntohs(a->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    return fmt::format("[{}]:{}", host, ntohs(a->sin6_port));
  }
  if (ss.ss_family == AF_UNIX) {
    auto* a = reinterpret_cast<const sockaddr_un*>(&ss);
    if (len <= sizeof(sa_family_t) || a->sun_path[0] == '\0') return "(unnamed)";
    return a->sun_path;
  }
  return "?";
}

std::string describe_socket(int fd) {
  int domain = 0, type = 0;
  socklen_t len = sizeof domain;
  ::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len);
  len = sizeof type;
  ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
  const char* kind = domain == AF_UNIX     ? "unix"
                     : type == SOCK_STREAM ? "TCP"
                     : type == SOCK_DGRAM  ? "UDP"
                                           : "raw";
  sockaddr_storage self{}, peer{};
  socklen_t self_len = sizeof self, peer_len = sizeof peer;
  std::string local = ::getsockname(fd, reinterpret_cast<sockaddr*>(&self), &self_len) == 0
                          ? address_text(self, self_len)
                          : "?";
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) == 0)
    return fmt::format("{} socket {} -> {}", kind, local, address_text(peer, peer_len));
  int listening = 0;
  len = sizeof listening;
  ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len);
  return fmt::format("{} socket {} ({})", kind, local, listening ? "listening" : "not connected");
}

}  // namespace

ProcessState capture_process_state() {
  ProcessState s;
  s.threads = list_numeric("/proc/self/task", static_cast<int>(::getpid()));
  s.descriptors = list_numeric("/proc/self/fd", -1);
  return s;
}

std::string describe_descriptor(int fd) {
  char target[4096];
  std::string link = fmt::format("/proc/self/fd/{}", fd);
  ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
  if (n < 0) return "unknown descriptor";
  std::string what(target, static_cast<std::size_t>(n));
  if (what.rfind("socket:", 0) == 0) return describe_socket(fd);
  if (what.rfind("pipe:", 0) == 0) return "pipe";
  if (what.rfind("anon_inode:", 0) == 0) return what.substr(11);
  return "file " + what;
}

std::vector<Hazard> new_hazards(const ProcessState& before, const ProcessState& after) {
  std::vector<Hazard> out;
  for (int tid : after.threads) {
    if (before.threads.count(tid)) continue;
    std::ifstream comm(fmt::format("/proc/self/task/{}/comm", tid));
    std::string name;
    std::getline(comm, name);
    out.push_back({"thread", tid, fmt::format("thread {} '{}'", tid, name)});
  }
  for (int fd : after.descriptors) {
    if (before.descriptors.count(fd)) continue;
    out.push_back({"descriptor", fd, describe_descriptor(fd)});
  }
  return out;
}

}  // namespace forksafe::serve::verify
