// Listening sockets: parse -b addresses, bind them, or adopt inherited ones (LISTEN_FDS, USR2).
#ifndef FORKSAFE_SERVE_LISTENERS_HPP
#define FORKSAFE_SERVE_LISTENERS_HPP

#include <string>
#include <vector>

#include "fd.hpp"

namespace forksafe::serve {

struct Listener {
  UniqueFd fd;
  std::string name;  // "http://127.0.0.1:8000", "unix:/run/app.sock"
  bool is_unix = false;
};

/// Environment variable that carries listener descriptors across a USR2 re-exec ("3,4,5").
inline constexpr const char* kInheritedFdsEnv = "FORKSAFE_INHERITED_FDS";

/// Creates a non-blocking, close-on-exec listener for `spec`; on failure returns an invalid fd and
/// fills `error` ("cannot bind 127.0.0.1:80: Permission denied").
Listener bind_listener(const std::string& spec, int backlog, std::string* error);

/// Adopts descriptors handed over by systemd (LISTEN_FDS/LISTEN_PID) or by a previous master
/// (FORKSAFE_INHERITED_FDS). Returns true when any were adopted; clears the variables either way.
bool adopt_inherited(std::vector<Listener>* out, std::string* error);

/// Binds every spec unless listeners were inherited. Returns false with a one-line `error`.
bool open_listeners(const std::vector<std::string>& specs, int backlog, std::vector<Listener>* out,
                    std::string* error);

/// Describes the bound address of `fd` ("http://127.0.0.1:41234"); used after binding port 0.
std::string describe_listener(int fd);

}  // namespace forksafe::serve

#endif  // FORKSAFE_SERVE_LISTENERS_HPP
