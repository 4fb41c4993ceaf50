// STAND-IN for Crow 1.x's <crow.h> (Debian ships no Crow): only the registration API, with Crow's
// names and shapes: CROW_ROUTE(app, url) expands to app.route<tag>(url), which returns a rule
// whose methods("POST"_method) and operator()(handler) register the handler; run() serves.
#pragma once

#include <cstdint>
#include <string>

namespace crow {

enum class HTTPMethod { Delete, Get, Head, Post, Put, Patch };

struct request {
  std::string url;
  std::string body;
};

struct response {
  response() = default;
  response(int c) : code(c) {}
  response(std::string b) : body(std::move(b)) {}
  int code = 200;
  std::string body;
};

namespace black_magic {
constexpr uint64_t get_parameter_tag(const char*) { return 0; }
}  // namespace black_magic

class BaseRule {
 public:
  explicit BaseRule(std::string rule) : rule_(std::move(rule)) {}
  BaseRule& methods(HTTPMethod method) {
    method_ = method;
    return *this;
  }

 protected:
  std::string rule_;
  HTTPMethod method_ = HTTPMethod::Get;
};

template <typename... Args>
class TaggedRule : public BaseRule {
 public:
  using BaseRule::BaseRule;
  template <typename... Methods>
  TaggedRule& methods(Methods... methods) {
    (BaseRule::methods(methods), ...);
    return *this;
  }
  template <typename Func>
  void operator()(Func&& f) {
    (void)f;
  }
};

class DynamicRule : public BaseRule {
 public:
  using BaseRule::BaseRule;
  template <typename Func>
  void operator()(Func&& f) {
    (void)f;
  }
};

template <typename... Middlewares>
class Crow {
 public:
  template <uint64_t Tag>
  TaggedRule<>& route(const std::string& rule) {
    static TaggedRule<> r(rule);
    return r;
  }
  DynamicRule& route_dynamic(const std::string& rule) {
    static DynamicRule r(rule);
    return r;
  }
  Crow& port(uint16_t p) {
    port_ = p;
    return *this;
  }
  Crow& multithreaded() { return *this; }
  void run() {}

 private:
  uint16_t port_ = 80;
};

using SimpleApp = Crow<>;

}  // namespace crow

constexpr crow::HTTPMethod operator""_method(const char* str, size_t) {
  return str[0] == 'P' ? (str[1] == 'O' ? crow::HTTPMethod::Post : crow::HTTPMethod::Put)
                       : str[0] == 'D' ? crow::HTTPMethod::Delete : crow::HTTPMethod::Get;
}

#define CROW_ROUTE(app, url) app.template route<crow::black_magic::get_parameter_tag(url)>(url)
