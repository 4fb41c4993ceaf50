// STAND-IN for Pistache 0.0.5's <pistache/endpoint.h>, <pistache/router.h> and <pistache/http.h>
// (Debian's Pistache headers do not parse with clang 19): only the registration API, with
// Pistache's names and shapes: Rest::Routes::Get(router, path, handler), Rest::Routes::bind(
// &Class::method, this), Http::Handler::onRequest overrides, and Http::Endpoint::serve().
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace Pistache {

namespace Http {
class Request {
 public:
  std::string resource() const { return resource_; }

 private:
  std::string resource_;
};
enum class Code { Ok = 200, Not_Found = 404 };
class ResponseWriter {
 public:
  void send(Code code, const std::string& body = "") { (void)code, (void)body; }
};

class Handler {
 public:
  virtual ~Handler() = default;
  virtual void onRequest(const Request& request, ResponseWriter response) = 0;
};

class Endpoint {
 public:
  explicit Endpoint(int port) : port_(port) {}
  void init() {}
  void setHandler(const std::shared_ptr<Handler>& handler) { handler_ = handler; }
  void serve() {}
  void serveThreaded() {}

 private:
  int port_;
  std::shared_ptr<Handler> handler_;
};
}  // namespace Http

namespace Rest {
class Request {
 public:
  std::string param(const std::string& name) const { return name; }
};

namespace Route {
enum class Result { Ok, Failure };
using Handler = std::function<Result(const Rest::Request, Http::ResponseWriter)>;
}  // namespace Route

class Router {
 public:
  std::shared_ptr<Http::Handler> handler() const { return nullptr; }
};

namespace Routes {
inline void Get(Router& router, const std::string& resource, Route::Handler handler) {
  (void)router, (void)resource, (void)handler;
}
inline void Post(Router& router, const std::string& resource, Route::Handler handler) {
  (void)router, (void)resource, (void)handler;
}

template <typename Result, typename Cls, typename... Args, typename Obj>
Route::Handler bind(Result (Cls::*func)(Args...), Obj obj) {
  return [=](const Rest::Request& request, Http::ResponseWriter response) {
    (obj->*func)(request, std::move(response));
    return Route::Result::Ok;
  };
}
}  // namespace Routes
}  // namespace Rest
}  // namespace Pistache
