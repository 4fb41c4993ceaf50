// Fixture: POCO Net, compiled against the real Poco headers (Debian's libpoco-dev); kept small
// because they are slow to parse. Overrides of HTTPRequestHandler::handleRequest are handlers.
// RUN-ARGS: --checks=-*,forksafe-per-worker-state
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

long served = 0;  // expect: forksafe-per-worker-state // expect-message: handler 'CountingHandler::handleRequest()'
int resets = 0;

class CountingHandler : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) override {
    ++served;
    response.send() << "ok";
  }
};

// Nothing calls it; with a framework known it is not guessed to be a request path.
void reset_counters() { resets = 0; }

int main() {
  CountingHandler handler;
  return 0;
}
