// Fixture: Boost.Beast (synchronous server), compiled against the real Boost headers (Debian's
// libboost-dev); kept to one small file because they are slow to parse. Beast has no router:
// what main() runs after acceptor.accept() starts serving is request time, including the
// session thread it starts; what precedes it is init.
// RUN-ARGS: --checks=-*,forksafe-per-worker-state
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <thread>

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

long sessions = 0;  // expect: forksafe-per-worker-state // expect-message: main() after accept()
int backlog = 0;

void do_session(tcp::socket socket) {
  ++sessions;
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  beast::error_code ec;
  http::read(socket, buffer, req, ec);
}

int main() {
  backlog = 16;
  boost::asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc, {boost::asio::ip::make_address("127.0.0.1"), 8080}};
  for (;;) {
    tcp::socket socket{ioc};
    acceptor.accept(socket);
    std::thread(&do_session, std::move(socket)).detach();
  }
}
