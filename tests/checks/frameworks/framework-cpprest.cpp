// Fixture: cpprestsdk, compiled against the real <cpprest/http_listener.h> (Debian's
// libcpprest-dev). The callables given to http_listener::support are handlers; open() serves.
// RUN-ARGS: --checks=-*,forksafe-per-worker-state
#include <cpprest/http_listener.h>

using web::http::http_request;
using web::http::methods;
using web::http::status_codes;
using web::http::experimental::listener::http_listener;

long reads = 0;  // expect: forksafe-per-worker-state // expect-message: handler 'lambda at framework-cpprest.cpp:
long other = 0;  // expect: forksafe-per-worker-state
int timeoutSeconds = 0;

int main() {
  timeoutSeconds = 30;
  http_listener listener(U("http://127.0.0.1:8080/items"));
  listener.support(methods::GET, [](http_request request) {
    ++reads;
    request.reply(status_codes::OK, U("ok"));
  });
  listener.support([](http_request request) {
    ++other;
    request.reply(status_codes::MethodNotAllowed);
  });
  listener.open().wait();
  return 0;
}
