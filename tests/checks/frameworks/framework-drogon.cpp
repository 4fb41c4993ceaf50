// Fixture: Drogon, through a STAND-IN header (include/drogon/drogon.h; Debian has no Drogon) that
// reproduces registerHandler, HttpController's METHOD_LIST_BEGIN/ADD_METHOD_TO and run().
// RUN-ARGS: --checks=-*,forksafe-per-worker-state --extra-arg=-isystem%S/include
#include <drogon/drogon.h>

#include <functional>
#include <string>

long pings = 0;  // expect: forksafe-per-worker-state // expect-message: handler 'GET /ping'
long lookups = 0;  // expect: forksafe-per-worker-state // expect-message: handler 'GET /users/{id}'
long created = 0;  // expect: forksafe-per-worker-state // expect-message: handler 'POST /users'
std::string version;

class UserController : public drogon::HttpController<UserController> {
 public:
  METHOD_LIST_BEGIN
  ADD_METHOD_TO(UserController::getUser, "/users/{id}", drogon::Get);
  ADD_METHOD_TO(UserController::createUser, "/users", drogon::Post);
  METHOD_LIST_END

  void getUser(const drogon::HttpRequestPtr&,
               std::function<void(const drogon::HttpResponsePtr&)>&& callback, int id) {
    ++lookups;
    (void)id;
    callback(drogon::HttpResponse::newHttpResponse());
  }
  void createUser(const drogon::HttpRequestPtr&,
                  std::function<void(const drogon::HttpResponsePtr&)>&& callback) {
    ++created;
    callback(drogon::HttpResponse::newHttpResponse());
  }
};

int main() {
  version = "1.0";
  drogon::app().registerHandler(
      "/ping",
      [](const drogon::HttpRequestPtr&, std::function<void(const drogon::HttpResponsePtr&)>&& cb) {
        ++pings;
        cb(drogon::HttpResponse::newHttpResponse());
      },
      {drogon::Get});
  drogon::app().addListener("127.0.0.1", 8080).setThreadNum(4).run();
}
