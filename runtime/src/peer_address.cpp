// Reading a peer address out of accept()'s sockaddr and writing it as text (see peer_address.hpp).
#include "peer_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace forksafe::serve {

PeerAddress PeerAddress::from_sockaddr(const sockaddr_storage& ss) {
  PeerAddress peer;
  char host[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    if (::inet_ntop(AF_INET, &a->sin_addr, host, sizeof host)) peer.host = host;
    peer.family = Family::kIpv4;
    peer.port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    if (::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host)) peer.host = host;
    peer.family = Family::kIpv6;
    peer.port = ntohs(a->sin6_port);
  }
  switch (peer.family) {
    case Family::kIpv4:
      peer.text = peer.host;
      break;
    case Family::kIpv6:
      peer.text = "[" + peer.host + "]";
      break;
    case Family::kUnix:
      peer.text = "unix";
      break;
  }
  peer.host_len = peer.text.size();
  peer.text += ":" + std::to_string(peer.port);
  return peer;
}

}  // namespace forksafe::serve
