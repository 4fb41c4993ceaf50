// Minimal stand-in for cpp-httplib (https://github.com/yhirose/cpp-httplib), enough for the
// evaluation apps to compile. Only the API surface the apps use is provided; nothing is served.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace httplib {

struct Request {
  std::string method;
  std::string path;
  std::string body;
  std::string remote_addr;
  std::multimap<std::string, std::string> headers;
  std::multimap<std::string, std::string> params;
  std::vector<std::string> matches;

  bool has_param(const std::string& key) const { return params.count(key) != 0; }
  std::string get_param_value(const std::string& key) const {
    auto it = params.find(key);
    return it == params.end() ? std::string() : it->second;
  }
  bool has_header(const std::string& key) const { return headers.count(key) != 0; }
  std::string get_header_value(const std::string& key) const {
    auto it = headers.find(key);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct Response {
  int status = 200;
  std::string body;
  std::multimap<std::string, std::string> headers;

  void set_header(const std::string& key, const std::string& value) { headers.emplace(key, value); }
  void set_content(const std::string& s, const std::string& content_type) {
    body = s;
    set_header("Content-Type", content_type);
  }
  void set_redirect(const std::string& url, int code = 302) {
    set_header("Location", url);
    status = code;
  }
};

class Server {
 public:
  using Handler = std::function<void(const Request&, Response&)>;

  Server& Get(const std::string& pattern, Handler handler) {
    return add("GET", pattern, std::move(handler));
  }
  Server& Post(const std::string& pattern, Handler handler) {
    return add("POST", pattern, std::move(handler));
  }
  Server& Put(const std::string& pattern, Handler handler) {
    return add("PUT", pattern, std::move(handler));
  }
  Server& Delete(const std::string& pattern, Handler handler) {
    return add("DELETE", pattern, std::move(handler));
  }

  bool listen(const std::string& host, int port) {
    return !host.empty() && port > 0 && !routes_.empty();
  }
  void stop() {}

 private:
  struct Route {
    std::string method;
    std::string pattern;
    Handler handler;
  };
  Server& add(const char* method, const std::string& pattern, Handler handler) {
    routes_.push_back(Route{method, pattern, std::move(handler)});
    return *this;
  }
  std::vector<Route> routes_;
};

}  // namespace httplib
