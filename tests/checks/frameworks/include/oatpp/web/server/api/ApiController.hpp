// STAND-IN for oat++'s <oatpp/web/server/api/ApiController.hpp> (Debian ships no oat++): only
// the shapes the checker relies on: an ApiController base, OATPP_CODEGEN_BEGIN(ApiController)
// bringing in ENDPOINT("METHOD", "/path", name, params...) which defines the handler method
// `name`, and PATH(type, name) parameters.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace oatpp {
using Int64 = int64_t;
using String = std::string;

namespace web {
namespace protocol {
namespace http {
namespace outgoing {
class Response {
 public:
  explicit Response(int status) : status_(status) {}

 private:
  int status_;
};
}  // namespace outgoing
}  // namespace http
}  // namespace protocol

namespace server {
namespace api {
class ApiController {
 public:
  using OutgoingResponse = protocol::http::outgoing::Response;
  virtual ~ApiController() = default;

 protected:
  std::shared_ptr<OutgoingResponse> createResponse(int status, const String& body) const {
    (void)body;
    return std::make_shared<OutgoingResponse>(status);
  }
};
}  // namespace api
}  // namespace server
}  // namespace web
}  // namespace oatpp

#define OATPP_CODEGEN_BEGIN(NAME) "oatpp/codegen/api_controller_define.hpp"
#define OATPP_CODEGEN_END(NAME) "oatpp/codegen/api_controller_undef.hpp"
