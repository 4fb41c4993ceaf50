// Fixture: Pistache, through a STAND-IN header (include/pistache/endpoint.h; Debian's Pistache
// 0.0.5 headers do not parse with clang 19) that reproduces Rest::Routes::Get/Post with
// Routes::bind, Http::Handler::onRequest and Endpoint::serve().
// RUN-ARGS: --checks=-*,forksafe-per-worker-state --extra-arg=-isystem%S/include
#include <pistache/endpoint.h>

#include <map>
#include <string>

using namespace Pistache;

std::map<std::string, int> counters;  // expect: forksafe-per-worker-state // expect-message: handler 'POST /record/:name'
long raw = 0;  // expect: forksafe-per-worker-state // expect-message: handler 'RawHandler::onRequest()'
int readOnly = 0;

class StatsEndpoint {
 public:
  void setupRoutes(Rest::Router& router) {
    Rest::Routes::Post(router, "/record/:name", Rest::Routes::bind(&StatsEndpoint::doRecord, this));
    Rest::Routes::Get(router, "/value/:name", Rest::Routes::bind(&StatsEndpoint::doGet, this));
  }
  void doRecord(const Rest::Request& request, Http::ResponseWriter response) {
    ++counters[request.param(":name")];
    response.send(Http::Code::Ok);
  }
  void doGet(const Rest::Request& request, Http::ResponseWriter response) {
    response.send(Http::Code::Ok, std::to_string(counters[request.param(":name")] + readOnly));
  }
};

class RawHandler : public Http::Handler {
 public:
  void onRequest(const Http::Request&, Http::ResponseWriter response) override {
    ++raw;
    response.send(Http::Code::Ok);
  }
};

int main() {
  readOnly = 1;
  Rest::Router router;
  StatsEndpoint stats;
  stats.setupRoutes(router);
  Http::Endpoint server(9080);
  server.init();
  server.setHandler(router.handler());
  server.serve();
}
