// Router, Request and Response tests: handlers exercised without any socket.
#include <gtest/gtest.h>

#include <stdexcept>

#include "forksafe/app.hpp"

using forksafe::App;
using forksafe::DispatchInfo;
using forksafe::Request;
using forksafe::Response;

namespace {

App make_app() {
  App app;
  app.get("/", [](const Request&) { return Response::text("root"); });
  app.get("/users/:id",
          [](const Request& r) { return Response::text("user " + std::string(r.param("id"))); });
  app.put("/users/:id", [](const Request& r) { return Response::text("put " + r.body); });
  app.del("/users/:id", [](const Request&) { return Response::empty(204); });
  app.get("/files/*rest",
          [](const Request& r) { return Response::text(std::string(r.param("rest"))); });
  app.post("/boom", [](const Request&) -> Response { throw std::runtime_error("secret detail"); });
  app.route("OPTIONS", "/opt", [](const Request&) { return Response::empty(204); });
  return app;
}

TEST(Router, MatchesStaticAndParameterRoutes) {
  App app = make_app();
  Request root = Request::make("GET", "/");
  EXPECT_EQ(app.handle(root).body, "root");
  Request user = Request::make("GET", "/users/42?full=1");
  DispatchInfo info;
  Response r = app.handle(user, &info);
  EXPECT_EQ(r.body, "user 42");
  EXPECT_EQ(info.route, "/users/:id");
  EXPECT_EQ(user.param("id"), "42");
}

TEST(Router, WildcardCapturesTheRest) {
  App app = make_app();
  Request r = Request::make("GET", "/files/a/b/c.txt");
  EXPECT_EQ(app.handle(r).body, "a/b/c.txt");
}

TEST(Router, UnknownPathIs404) {
  App app = make_app();
  Request r = Request::make("GET", "/nope");
  EXPECT_EQ(app.handle(r).status, 404);
  Request longer = Request::make("GET", "/users/1/extra");
  EXPECT_EQ(app.handle(longer).status, 404);
}

TEST(Router, WrongMethodIs405WithAllow) {
  App app = make_app();
  Request r = Request::make("POST", "/users/1");
  Response resp = app.handle(r);
  EXPECT_EQ(resp.status, 405);
  EXPECT_EQ(resp.headers.get("allow"), "GET, PUT, DELETE");
}

TEST(Router, HeadFallsBackToGet) {
  App app = make_app();
  Request r = Request::make("HEAD", "/users/5");
  EXPECT_EQ(app.handle(r).body, "user 5");
}

TEST(Router, ExceptionBecomesBare500) {
  App app = make_app();
  Request r = Request::make("POST", "/boom");
  DispatchInfo info;
  Response resp = app.handle(r, &info);
  EXPECT_EQ(resp.status, 500);
  EXPECT_EQ(resp.body.find("secret"), std::string::npos);
  EXPECT_EQ(info.error, "secret detail");
  EXPECT_EQ(info.route, "/boom");
}

TEST(Router, UnavailableBecomesBare503) {
  App app;
  app.get("/db", [](const Request&) -> Response {
    throw forksafe::Unavailable("cannot reach the shared store unix:/x: No such file");
  });
  Request r = Request::make("GET", "/db");
  DispatchInfo info;
  Response resp = app.handle(r, &info);
  EXPECT_EQ(resp.status, 503);
  EXPECT_EQ(resp.body, "Service Unavailable\n");
  EXPECT_EQ(info.error, "cannot reach the shared store unix:/x: No such file");
}

TEST(Router, CustomMethodViaRoute) {
  App app = make_app();
  Request r = Request::make("OPTIONS", "/opt");
  EXPECT_EQ(app.handle(r).status, 204);
}

TEST(Request, PathIsDecodedQueryParamsToo) {
  Request r = Request::make("GET", "/a%20b?x=1&name=J%C3%B6rg+M&flag");
  EXPECT_EQ(r.path, "/a b");
  EXPECT_EQ(r.query, "x=1&name=J%C3%B6rg+M&flag");
  EXPECT_EQ(r.query_param("name").value(), "J\xC3\xB6rg M");
  EXPECT_EQ(r.query_param("flag").value(), "");
  EXPECT_FALSE(r.query_param("missing").has_value());
}

TEST(Request, BadPercentEncodingIsRejected) {
  Request r;
  EXPECT_FALSE(r.set_target("/bad%zz"));
  EXPECT_FALSE(r.set_target("/trail%2"));
}

TEST(Request, HeadersAreCaseInsensitive) {
  Request r = Request::make("GET", "/");
  r.headers.add("Content-Type", "text/plain");
  EXPECT_EQ(r.header("content-type"), "text/plain");
  EXPECT_TRUE(r.headers.has("CONTENT-TYPE"));
  r.headers.set("content-type", "application/json");
  EXPECT_EQ(r.headers.count("Content-Type"), 1u);
}

TEST(Response, JsonHelperAndEscape) {
  Response r = Response::json("{\"name\":\"" + forksafe::json_escape("a\"b\n") + "\"}", 201);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.headers.get("Content-Type"), "application/json");
  EXPECT_EQ(r.body, "{\"name\":\"a\\\"b\\n\"}");
}

}  // namespace
