// The handler API: the App router, lifecycle hooks, FORKSAFE_APP, and the fork contract.
//
// THE FORK CONTRACT (what forksafe-serve guarantees, and what it asks of app code)
//
//   master, before fork     Checks the settings and the app (without --preload: dlopen and the
//                           FORKSAFE_APP body in a short-lived child, never the init hooks); with
//                           --preload dlopens the app, calls the FORKSAFE_APP body and the init
//                           hooks; then binds listeners. Whatever the init code creates
//                           (globals, caches, mmaps) is inherited by every worker copy-on-write.
//                           They must not start threads, open connections meant to be used by
//                           workers, or seed RNGs that workers rely on being distinct: threads do
//                           not survive fork, and a socket or seed shared by N processes is shared
//                           state in disguise.
//   worker, after fork      Resets signal handlers, sets PR_SET_PDEATHSIG (every server
//                           descriptor is already close-on-exec), switches --user/--group and,
//                           without --preload, dlopens the app and runs the FORKSAFE_APP body and
//                           init hooks. Then runs every worker-init hook (open per-worker
//                           connections, reseed RNGs, start per-worker threads here). Only then
//                           accepts.
//   worker, serving         Handlers run in the worker: inline on the event loop (-k event),
//                           one connection at a time (-k sync) or on a pool of --threads (-k
//                           threads). A write to a global changes this worker's copy only.
//   worker, exiting         After draining (graceful stop, --max-requests), the worker-exit hooks
//                           run. They do not run after a crash, a --timeout kill or INT/QUIT.
//
// An app whose init code only works when it runs once, before fork (shared memory every worker
// must see, for example), says so with FORKSAFE_REQUIRE_PRELOAD("why"); the server then refuses
// to start without --preload and prints the reason.
//
// One worker is one process. The master never runs handler code; with --preload it runs only the
// init code above. Handlers never see sockets or HTTP framing.
#ifndef FORKSAFE_APP_HPP
#define FORKSAFE_APP_HPP

#include <exception>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "forksafe/annotations.hpp"
#include "forksafe/request.hpp"
#include "forksafe/response.hpp"
#include "forksafe/unavailable.hpp"

/// Bumped whenever App, Request or Response change layout; the server refuses other versions.
#define FORKSAFE_APP_ABI_VERSION 2

namespace forksafe {

/// Any callable `Response(const Request&)`.
using Handler = std::function<Response(const Request&)>;
/// A lifecycle hook: init, worker init or worker exit.
using Hook = std::function<void()>;

/// What the router did with a request; the server logs it and uses it in the access log.
struct DispatchInfo {
  std::string route;  ///< matched pattern ("/users/:id"), empty on 404/405
  std::string error;  ///< what() of a handler exception, empty otherwise
};

class App {
 public:
  // Route registration. The handler is always the last argument, so forksafe-check finds every
  // handler root without annotations written by the user.
  template <class F>
  App& get(std::string_view pattern, FORKSAFE_HANDLER F&& handler) {
    return route("GET", pattern, Handler(std::forward<F>(handler)));
  }
  template <class F>
  App& post(std::string_view pattern, FORKSAFE_HANDLER F&& handler) {
    return route("POST", pattern, Handler(std::forward<F>(handler)));
  }
  template <class F>
  App& put(std::string_view pattern, FORKSAFE_HANDLER F&& handler) {
    return route("PUT", pattern, Handler(std::forward<F>(handler)));
  }
  template <class F>
  App& patch(std::string_view pattern, FORKSAFE_HANDLER F&& handler) {
    return route("PATCH", pattern, Handler(std::forward<F>(handler)));
  }
  template <class F>
  App& del(std::string_view pattern, FORKSAFE_HANDLER F&& handler) {
    return route("DELETE", pattern, Handler(std::forward<F>(handler)));
  }
  /// Any method, including extension methods such as QUERY (a method-specific route still wins).
  template <class F>
  App& any(std::string_view pattern, FORKSAFE_HANDLER F&& handler) {
    return route("*", pattern, Handler(std::forward<F>(handler)));
  }
  /// Registers `handler` for `method` ("*": any method) and `pattern`. Segments starting with ':'
  /// capture one path segment ("/users/:id"); a final "*name" segment captures the rest.
  App& route(std::string_view method, std::string_view pattern, FORKSAFE_HANDLER Handler handler) {
    Route r;
    r.method = std::string(method);
    r.pattern = std::string(pattern);
    r.segments = split(pattern);
    r.handler = std::move(handler);
    routes_.push_back(std::move(r));
    return *this;
  }

  // Lifecycle hooks (see the fork contract above). Init hooks run where the app is loaded: once in
  // the master with --preload, otherwise in each worker before it accepts.
  App& on_init(FORKSAFE_INIT Hook hook) {
    init_hooks_.push_back(std::move(hook));
    return *this;
  }
  App& on_worker_init(FORKSAFE_WORKER_INIT Hook hook) {
    worker_init_hooks_.push_back(std::move(hook));
    return *this;
  }
  App& on_worker_exit(Hook hook) {
    worker_exit_hooks_.push_back(std::move(hook));
    return *this;
  }

  /// Routes `req` (filling req.params) and runs the handler. Never throws: an exception becomes a
  /// bare 500 (a forksafe::Unavailable a bare 503) whose details go only to `info->error`. HEAD is
  /// served by GET handlers.
  Response handle(Request& req, DispatchInfo* info = nullptr) const noexcept {
    try {
      return dispatch(req, info);
    } catch (const Unavailable& e) {
      if (info) info->error = e.what();
      return Response::text("Service Unavailable\n", 503);
    } catch (const std::exception& e) {
      if (info) info->error = e.what();
    } catch (...) {
      if (info) info->error = "unknown exception";
    }
    return Response::text("Internal Server Error\n", 500);
  }

  std::size_t route_count() const { return routes_.size(); }
  const std::vector<Hook>& init_hooks() const { return init_hooks_; }
  const std::vector<Hook>& worker_init_hooks() const { return worker_init_hooks_; }
  const std::vector<Hook>& worker_exit_hooks() const { return worker_exit_hooks_; }

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };

  static std::vector<std::string> split(std::string_view path) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < path.size()) {
      if (path[i] == '/') {
        ++i;
        continue;
      }
      std::size_t j = path.find('/', i);
      if (j == std::string_view::npos) j = path.size();
      out.emplace_back(path.substr(i, j - i));
      i = j;
    }
    return out;
  }

  /// Path segments as views into `path` (no copies; the router runs once per request).
  static std::vector<std::string_view> split_views(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < path.size()) {
      if (path[i] == '/') {
        ++i;
        continue;
      }
      std::size_t j = path.find('/', i);
      if (j == std::string_view::npos) j = path.size();
      out.push_back(path.substr(i, j - i));
      i = j;
    }
    return out;
  }

  static bool match(const Route& r, const std::vector<std::string_view>& parts,
                    std::vector<std::pair<std::string, std::string>>* params) {
    if (params) params->clear();
    for (std::size_t i = 0; i < r.segments.size(); ++i) {
      const std::string& seg = r.segments[i];
      if (!seg.empty() && seg[0] == '*') {
        if (params) {
          std::string rest;
          for (std::size_t k = i; k < parts.size(); ++k) {
            if (k > i) rest += '/';
            rest.append(parts[k]);
          }
          params->emplace_back(seg.substr(1), std::move(rest));
        }
        return true;
      }
      if (i >= parts.size()) return false;
      if (!seg.empty() && seg[0] == ':') {
        if (params) params->emplace_back(seg.substr(1), std::string(parts[i]));
      } else if (seg != parts[i]) {
        return false;
      }
    }
    return parts.size() == r.segments.size();
  }

  Response dispatch(Request& req, DispatchInfo* info) const {
    const std::vector<std::string_view> parts = split_views(req.path);
    std::string allow;
    const Route* found = nullptr;
    const Route* get_for_head = nullptr;
    const Route* any_method = nullptr;
    for (const Route& r : routes_) {
      if (!match(r, parts, nullptr)) continue;
      if (r.method == req.method) {
        found = &r;
        break;
      }
      if (r.method == "*") {
        if (!any_method) any_method = &r;
        continue;
      }
      if (req.method == "HEAD" && r.method == "GET" && !get_for_head) get_for_head = &r;
      if (allow.find(r.method) == std::string::npos)
        allow += (allow.empty() ? "" : ", ") + r.method;
    }
    if (!found) found = get_for_head ? get_for_head : any_method;
    if (!found) {
      if (allow.empty()) return Response::text("Not Found\n", 404);
      Response r = Response::text("Method Not Allowed\n", 405);
      r.headers.add("Allow", allow);
      return r;
    }
    match(*found, parts, &req.params);
    if (info) info->route = found->pattern;
    return found->handler(req);
  }

  std::vector<Route> routes_;
  std::vector<Hook> init_hooks_;
  std::vector<Hook> worker_init_hooks_;
  std::vector<Hook> worker_exit_hooks_;
};

}  // namespace forksafe

#define FORKSAFE_DETAIL_EXPORT __attribute__((visibility("default")))

/// Defines the app library's entry point: `FORKSAFE_APP(app) { app.get("/", handler); }`.
/// The body is an init root (FORKSAFE_INIT): it runs where the app is loaded (see the contract).
#define FORKSAFE_APP(app)                                            \
  extern "C" FORKSAFE_DETAIL_EXPORT int forksafe_app_abi_version() { \
    return FORKSAFE_APP_ABI_VERSION;                                 \
  }                                                                  \
  extern "C" FORKSAFE_INIT FORKSAFE_DETAIL_EXPORT void forksafe_app_register(::forksafe::App& app)

/// Declares that the app only works with --preload (its init hooks must run once, in the master,
/// before fork), with the reason the server prints when started without it:
/// `FORKSAFE_REQUIRE_PRELOAD("the hit counter lives in shared memory created by on_init");`
/// at namespace scope. An optional entry point, so FORKSAFE_APP_ABI_VERSION is unchanged.
#define FORKSAFE_REQUIRE_PRELOAD(reason) \
  extern "C" FORKSAFE_DETAIL_EXPORT const char* forksafe_app_requires_preload() { return reason; }

#endif  // FORKSAFE_APP_HPP
