// STAND-IN for Drogon's <drogon/drogon.h> (Debian ships no Drogon): only the registration API,
// with Drogon's names and shapes: app().registerHandler(path, handler, {Get, Post}),
// HttpController<T> with METHOD_LIST_BEGIN / ADD_METHOD_TO / METHOD_ADD / METHOD_LIST_END
// (expanding, as in Drogon, to registerMethod(&Class::method, path, {methods...})), and run().
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace drogon {

enum HttpMethod { Get = 0, Post, Head, Put, Delete, Options, Patch, Invalid };

class HttpRequest {
 public:
  std::string path() const { return path_; }

 private:
  std::string path_;
};
class HttpResponse {
 public:
  static std::shared_ptr<HttpResponse> newHttpResponse() { return std::make_shared<HttpResponse>(); }
  void setBody(const std::string& body) { body_ = body; }

 private:
  std::string body_;
};
using HttpRequestPtr = std::shared_ptr<HttpRequest>;
using HttpResponsePtr = std::shared_ptr<HttpResponse>;

namespace internal {
struct HttpConstraint {
  HttpConstraint(HttpMethod m) : method(m) {}
  HttpMethod method;
};
}  // namespace internal

class HttpAppFramework {
 public:
  static HttpAppFramework& instance() {
    static HttpAppFramework app;
    return app;
  }
  template <typename FUNCTION>
  HttpAppFramework& registerHandler(
      const std::string& pathPattern, FUNCTION&& function,
      const std::vector<internal::HttpConstraint>& constraints = std::vector<internal::HttpConstraint>{},
      const std::string& handlerName = "") {
    (void)pathPattern, (void)function, (void)constraints, (void)handlerName;
    return *this;
  }
  HttpAppFramework& addListener(const std::string& ip, unsigned short port) {
    (void)ip, (void)port;
    return *this;
  }
  HttpAppFramework& setThreadNum(size_t n) {
    (void)n;
    return *this;
  }
  void run() {}
};

inline HttpAppFramework& app() { return HttpAppFramework::instance(); }

template <typename T, bool AutoCreation = true>
class HttpController {
 protected:
  template <typename FUNCTION>
  static void registerMethod(FUNCTION&& function, const std::string& pattern,
                             const std::vector<internal::HttpConstraint>& filtersAndMethods =
                                 std::vector<internal::HttpConstraint>{},
                             bool classic = true, const std::string& handlerName = "") {
    (void)function, (void)pattern, (void)filtersAndMethods, (void)classic, (void)handlerName;
  }
};

}  // namespace drogon

#define METHOD_LIST_BEGIN static void initPathRouting() {
#define METHOD_ADD(method, pattern, ...) \
  registerMethod(&method, pattern, {__VA_ARGS__}, true, #method)
#define ADD_METHOD_TO(method, path_pattern, ...) \
  registerMethod(&method, path_pattern, {__VA_ARGS__}, false, #method)
#define METHOD_LIST_END \
  return;               \
  }
