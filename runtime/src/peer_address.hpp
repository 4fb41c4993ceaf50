// The client address of a connection, kept as host and port and formatted in one place.
#ifndef FORKSAFE_SERVE_PEER_ADDRESS_HPP
#define FORKSAFE_SERVE_PEER_ADDRESS_HPP

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace forksafe::serve {

/// Where a connection comes from, as accept() reported it.
struct PeerAddress {
  enum class Family { kUnix, kIpv4, kIpv6 };

  Family family = Family::kUnix;
  std::string host;             // "127.0.0.1", "::1" (no brackets); empty for a unix socket
  std::uint16_t port = 0;       // 0 for a unix socket
  std::string text = "unix:0";  // to_string(), formatted once by from_sockaddr
  std::size_t host_len = 4;     // host_text() is text's first host_len characters

  /// The address accept() filled in; any family but AF_INET/AF_INET6 is a unix-socket peer.
  static PeerAddress from_sockaddr(const sockaddr_storage& ss);

  /// The host as the access log's %h and the error log write it: "127.0.0.1", "[::1]", "unix".
  std::string_view host_text() const { return std::string_view(text).substr(0, host_len); }
  /// Host and port, as handlers see it in Request::peer: "127.0.0.1:51234", "[::1]:51234",
  /// "unix:0".
  const std::string& to_string() const { return text; }
};

}  // namespace forksafe::serve

#endif  // FORKSAFE_SERVE_PEER_ADDRESS_HPP
