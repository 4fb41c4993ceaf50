// A tiny in-tree web framework for the user-framework fixture: its code is in the project (not a
// system header), but the configuration names this header as framework code, so nothing in it
// is ever a handler root.
#pragma once

#include <functional>
#include <map>
#include <string>

namespace tiny {

using Handler = std::function<std::string(const std::string&)>;

class Router {
 public:
  void on(const std::string& method, const std::string& path, Handler handler) {
    routes_[method + " " + path] = std::move(handler);
  }
  std::string dispatch(const std::string& key, const std::string& body) {
    auto it = routes_.find(key);
    return it == routes_.end() ? "" : it->second(body);
  }

 private:
  std::map<std::string, Handler> routes_;
};

// Never called by the app: not a root although nothing calls it.
inline void debug_dump(Router& router) { router.dispatch("GET /", ""); }

inline void start(Router& router) { (void)router; }

}  // namespace tiny

#define TINY_HANDLER(path, name) std::string name(const std::string& body)
