// Fixture: oat++, through a STAND-IN header (include/oatpp/...; Debian has no oat++) that
// reproduces ENDPOINT("GET", "/path", name, ...) inside an ApiController and Server::run().
// RUN-ARGS: --checks=-*,forksafe-per-worker-state --extra-arg=-isystem%S/include
#include <oatpp/network/Server.hpp>
#include <oatpp/web/server/api/ApiController.hpp>

#include <map>

long fetched = 0;  // expect: forksafe-per-worker-state // expect-message: handler 'GET /users/{userId}'
std::map<long, long> scores;  // expect: forksafe-per-worker-state // expect-message: handler 'PUT /scores/{userId}'
long configured = 0;

#include OATPP_CODEGEN_BEGIN(ApiController)

class UserController : public oatpp::web::server::api::ApiController {
 public:
  ENDPOINT("GET", "/users/{userId}", getUser, PATH(oatpp::Int64, userId)) {
    ++fetched;
    return createResponse(200, std::to_string(userId));
  }
  ENDPOINT("PUT", "/scores/{userId}", putScore, PATH(oatpp::Int64, userId)) {
    scores[userId] += 1;
    return createResponse(204, "");
  }
  // Not an endpoint: nothing calls it.
  void reset() { configured = 0; }
};

#include OATPP_CODEGEN_END(ApiController)

int main() {
  configured = 1;
  UserController controller;
  oatpp::network::Server server;
  server.run();
}
