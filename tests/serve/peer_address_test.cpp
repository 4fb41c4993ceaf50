// Unit tests for PeerAddress: reading accept()'s address and the texts handlers and logs see.
#include "peer_address.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "fd.hpp"
#include "listeners.hpp"

namespace fs = forksafe::serve;

namespace {

sockaddr_storage ipv4(const char* host, std::uint16_t port) {
  sockaddr_storage ss{};
  auto* a = reinterpret_cast<sockaddr_in*>(&ss);
  a->sin_family = AF_INET;
  a->sin_port = htons(port);
  ::inet_pton(AF_INET, host, &a->sin_addr);
  return ss;
}

sockaddr_storage ipv6(const char* host, std::uint16_t port) {
  sockaddr_storage ss{};
  auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
  a->sin6_family = AF_INET6;
  a->sin6_port = htons(port);
  ::inet_pton(AF_INET6, host, &a->sin6_addr);
  return ss;
}

TEST(PeerAddress, Ipv4KeepsHostAndPort) {
  fs::PeerAddress p = fs::PeerAddress::from_sockaddr(ipv4("127.0.0.1", 51234));
  EXPECT_EQ(p.family, fs::PeerAddress::Family::kIpv4);
  EXPECT_EQ(p.host, "127.0.0.1");
  EXPECT_EQ(p.port, 51234);
  EXPECT_EQ(p.host_text(), "127.0.0.1");
  EXPECT_EQ(p.to_string(), "127.0.0.1:51234");
}

TEST(PeerAddress, Ipv6IsBracketedOnlyInText) {
  fs::PeerAddress p = fs::PeerAddress::from_sockaddr(ipv6("::1", 8080));
  EXPECT_EQ(p.family, fs::PeerAddress::Family::kIpv6);
  EXPECT_EQ(p.host, "::1");
  EXPECT_EQ(p.port, 8080);
  EXPECT_EQ(p.host_text(), "[::1]");
  EXPECT_EQ(p.to_string(), "[::1]:8080");
  fs::PeerAddress mapped = fs::PeerAddress::from_sockaddr(ipv6("::ffff:10.1.2.3", 65535));
  EXPECT_EQ(mapped.to_string(), "[::ffff:10.1.2.3]:65535");
}

TEST(PeerAddress, UnixSocketPeerHasNoHostOrPort) {
  sockaddr_storage ss{};
  ss.ss_family = AF_UNIX;
  fs::PeerAddress p = fs::PeerAddress::from_sockaddr(ss);
  EXPECT_EQ(p.family, fs::PeerAddress::Family::kUnix);
  EXPECT_EQ(p.host, "");
  EXPECT_EQ(p.port, 0);
  EXPECT_EQ(p.host_text(), "unix");
  EXPECT_EQ(p.to_string(), "unix:0");
}

// The address of a real connection, as accept4() reports it: the client's own port.
TEST(PeerAddress, ReadsAnAcceptedConnection) {
  std::string error;
  fs::Listener listener = fs::bind_listener("127.0.0.1:0", 4, &error);
  ASSERT_TRUE(listener.fd) << error;
  sockaddr_in server{};
  socklen_t len = sizeof server;
  ASSERT_EQ(::getsockname(listener.fd.get(), reinterpret_cast<sockaddr*>(&server), &len), 0);
  fs::UniqueFd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(client);
  ASSERT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&server), sizeof server), 0);
  sockaddr_in local{};
  len = sizeof local;
  ASSERT_EQ(::getsockname(client.get(), reinterpret_cast<sockaddr*>(&local), &len), 0);

  sockaddr_storage ss{};
  len = sizeof ss;
  fs::UniqueFd accepted(
      ::accept4(listener.fd.get(), reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC));
  ASSERT_TRUE(accepted);
  fs::PeerAddress p = fs::PeerAddress::from_sockaddr(ss);
  EXPECT_EQ(p.host, "127.0.0.1");
  EXPECT_EQ(p.port, ntohs(local.sin_port));
  EXPECT_EQ(p.to_string(), "127.0.0.1:" + std::to_string(ntohs(local.sin_port)));
}

}  // namespace
