// Fixture: civetweb, compiled against the real <CivetServer.h> and <civetweb.h> (Debian's
// libcivetweb-dev). Handlers: CivetHandler overrides and callbacks given to
// mg_set_request_handler. Constructing CivetServer starts serving.
// RUN-ARGS: --checks=-*,forksafe-per-worker-state
#include <CivetServer.h>

long greetings = 0;  // expect: forksafe-per-worker-state // expect-message: handler 'HelloHandler::handleGet()'
long apiCalls = 0;  // expect: forksafe-per-worker-state // expect-message: handler '/api'
int documentRootSet = 0;

class HelloHandler : public CivetHandler {
 public:
  bool handleGet(CivetServer*, struct mg_connection* conn) override {
    ++greetings;
    mg_printf(conn, "HTTP/1.1 200 OK\r\n\r\nhello");
    return true;
  }
};

static int on_api(struct mg_connection* conn, void*) {
  ++apiCalls;
  mg_printf(conn, "HTTP/1.1 204 No Content\r\n\r\n");
  return 204;
}

int main() {
  const char* options[] = {"listening_ports", "127.0.0.1:8080", nullptr};
  documentRootSet = 1;
  CivetServer server(options);
  HelloHandler hello;
  server.addHandler("/hello", hello);
  mg_set_request_handler(const_cast<mg_context*>(server.getContext()), "/api", on_api, nullptr);
  return 0;
}
