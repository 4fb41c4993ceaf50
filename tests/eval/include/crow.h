// Minimal stand-in for Crow (https://github.com/CrowCpp/Crow), enough for the evaluation apps to
// compile: SimpleApp, request/response, CROW_ROUTE and the "POST"_method literal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace crow {

enum class HTTPMethod { Get, Post, Put, Delete, Patch };

struct request {
  HTTPMethod method = HTTPMethod::Get;
  std::string url;
  std::string body;
  std::string remote_ip_address;
  std::map<std::string, std::string> headers;

  std::string get_header_value(const std::string& key) const {
    auto it = headers.find(key);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct response {
  int code = 200;
  std::string body;
  std::map<std::string, std::string> headers;

  response() = default;
  explicit response(int c) : code(c) {}
  response(std::string b) : body(std::move(b)) {}
  response(int c, std::string b) : code(c), body(std::move(b)) {}

  void set_header(const std::string& key, const std::string& value) { headers[key] = value; }
  void write(const std::string& s) { body += s; }
  void end() {}
};

class Rule {
 public:
  explicit Rule(std::string url) : url_(std::move(url)) {}
  Rule& methods(HTTPMethod m) {
    methods_.push_back(m);
    return *this;
  }
  template <typename Func>
  void operator()(Func&& f) {
    (void)f;
    has_handler_ = true;
  }

 private:
  std::string url_;
  std::vector<HTTPMethod> methods_;
  bool has_handler_ = false;
};

class SimpleApp {
 public:
  Rule& route(const std::string& url) {
    rules_.push_back(std::make_unique<Rule>(url));
    return *rules_.back();
  }
  SimpleApp& port(std::uint16_t p) {
    port_ = p;
    return *this;
  }
  SimpleApp& bindaddr(const std::string& addr) {
    addr_ = addr;
    return *this;
  }
  SimpleApp& multithreaded() {
    concurrency_ = 4;
    return *this;
  }
  void run() {}

 private:
  std::vector<std::unique_ptr<Rule>> rules_;
  std::uint16_t port_ = 80;
  std::string addr_ = "0.0.0.0";
  unsigned concurrency_ = 1;
};

namespace detail {
constexpr bool same(const char* a, const char* b) {
  return *a == *b && (*a == '\0' || same(a + 1, b + 1));
}
}  // namespace detail

}  // namespace crow

constexpr crow::HTTPMethod operator"" _method(const char* str, std::size_t) {
  return crow::detail::same(str, "POST")     ? crow::HTTPMethod::Post
         : crow::detail::same(str, "PUT")    ? crow::HTTPMethod::Put
         : crow::detail::same(str, "DELETE") ? crow::HTTPMethod::Delete
         : crow::detail::same(str, "PATCH")  ? crow::HTTPMethod::Patch
                                             : crow::HTTPMethod::Get;
}

#define CROW_ROUTE(app, url) app.route(url)
