// STAND-IN for oat++'s <oatpp/network/Server.hpp> (see ApiController.hpp): Server::run().
#pragma once

namespace oatpp {
namespace network {
class Server {
 public:
  void run() {}
};
}  // namespace network
}  // namespace oatpp
