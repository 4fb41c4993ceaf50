// Fuzzes HTTP/1 request parsing (whole vs. split reads), App routing and response serialization.
//
// Input: byte 0 chooses how the rest is cut into reads (0: one byte per read, n: pseudo-random
// reads of 1..n bytes); bytes 1.. are what a client sends on one connection. The stream is parsed
// twice, once as a single read and once in those pieces, with the event worker's buffering
// (unconsumed bytes stay in the buffer and are fed again). Both runs must produce the same
// requests, and both fail or neither: a split must never change what the server sees. Every
// request is then dispatched through a small App and its response serialized and read back with
// http_parser, which must find exactly one well-framed response. Violations trap.
#include <http_parser.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "forksafe/app.hpp"
#include "fuzz_util.h"
#include "http1.hpp"

namespace {

using forksafe::App;
using forksafe::DispatchInfo;
using forksafe::Request;
using forksafe::Response;
using forksafe::serve::Limits;
using forksafe::serve::RequestParser;
using forksafe::serve::ResponseFraming;

// Small limits, so a short input can reach every limit check.
Limits fuzz_limits() {
  Limits l;
  l.request_line = 256;
  l.fields = 12;
  l.field_size = 512;
  l.body = 2048;
  return l;
}

// What one request looks like to the layers above the parser.
struct Parsed {
  Request request;
  bool keep_alive = false;
};

bool same(const Parsed& a, const Parsed& b) {
  const Request& x = a.request;
  const Request& y = b.request;
  if (x.method != y.method || x.target != y.target || x.path != y.path || x.query != y.query ||
      x.body != y.body || x.http_major != y.http_major || x.http_minor != y.http_minor ||
      a.keep_alive != b.keep_alive || x.headers.size() != y.headers.size())
    return false;
  auto i = x.headers.begin();
  for (auto j = y.headers.begin(); j != y.headers.end(); ++i, ++j)
    if (*i != *j) return false;
  return true;
}

struct Outcome {
  std::vector<Parsed> requests;
  int error_status = 0;
  std::string error_reason;
  bool partial = false;  // the input ended inside a request
};

// One connection's input side, buffered like event_worker.cpp's process_input().
class Connection {
 public:
  Connection() : parser_(fuzz_limits()) {}

  void receive(const char* data, std::size_t len) {
    if (failed()) return;
    in_.append(data, len);
    while (in_pos_ < in_.size()) {
      const std::size_t offered = in_.size() - in_pos_;
      std::size_t used = 0;
      auto st = parser_.feed(in_.data() + in_pos_, offered, &used);
      FUZZ_REQUIRE(used <= offered);
      in_pos_ += used;
      parser_.take_continue();  // whether 100 Continue is sent depends on timing, not compared
      if (st == RequestParser::Status::kError) {
        out_.error_status = parser_.error_status();
        out_.error_reason = parser_.error_reason();
        FUZZ_REQUIRE(out_.error_status >= 400 && out_.error_status <= 599);  // 501, 505 too
        FUZZ_REQUIRE(!out_.error_reason.empty());
        // An error is final: nothing more is parsed on this connection.
        std::size_t again = 1;
        FUZZ_REQUIRE(parser_.feed(in_.data(), in_.size(), &again) == RequestParser::Status::kError);
        FUZZ_REQUIRE(again == 0);
        return;
      }
      if (st == RequestParser::Status::kNeedMore) {
        // Bytes not taken (FrameGuard waits for a whole line) stay buffered and are offered
        // again with the next read, as in the event worker.
        FUZZ_REQUIRE(!parser_.take_continue());
        return;
      }
      Parsed p;
      p.keep_alive = parser_.keep_alive();
      p.request = parser_.take();
      parser_.next();
      FUZZ_REQUIRE(!parser_.started() && !parser_.reading_body());
      out_.requests.push_back(std::move(p));
    }
  }

  Outcome finish() {
    out_.partial = !failed() && parser_.started();
    return std::move(out_);
  }

 private:
  bool failed() const { return out_.error_status != 0; }

  RequestParser parser_;
  std::string in_;
  std::size_t in_pos_ = 0;
  Outcome out_;
};

Outcome parse_whole(const char* data, std::size_t len) {
  Connection c;
  c.receive(data, len);
  return c.finish();
}

Outcome parse_split(const char* data, std::size_t len, std::uint8_t max_read) {
  Connection c;
  std::uint32_t state = 0x9e3779b9u ^ max_read;
  std::size_t pos = 0;
  while (pos < len) {
    std::size_t n = 1;
    if (max_read > 1) {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      n = 1 + state % max_read;
    }
    if (n > len - pos) n = len - pos;
    c.receive(data + pos, n);
    pos += n;
  }
  return c.finish();
}

App make_app() {
  App app;
  app.get("/", [](const Request&) { return Response::text("root\n"); });
  app.get("/users/:id", [](const Request& r) {
    // Decoded path text ends up in a header value: the serializer must keep framing intact.
    return Response::text("user " + std::string(r.param("id")) + "\n")
        .header("X-User", std::string(r.param("id")));
  });
  app.post("/users/:id", [](const Request& r) { return Response::text(r.body, 201); });
  app.del("/users/:id", [](const Request&) { return Response::empty(204); });
  app.put("/items/:a/:b", [](const Request& r) {
    return Response::json("{\"a\":1}").header("X-B", std::string(r.param("b")));
  });
  app.get("/files/*path",
          [](const Request& r) { return Response::text(std::string(r.param("path"))); });
  app.get("/echo", [](const Request& r) {
    // A debug endpoint that reflects request headers, framing ones included.
    Response out = Response::text(r.query);
    for (const auto& [name, value] : r.headers) out.header(name, value);
    return out;
  });
  app.get("/status/:code", [](const Request& r) {
    int code = 0;
    for (char c : r.param("code")) {
      if (c < '0' || c > '9' || code > 1000) break;
      code = code * 10 + (c - '0');
    }
    if (code < 100 || code > 599) code = 200;
    return Response::text("body that 1xx, 204 and 304 must not carry", code);
  });
  app.get("/boom", [](const Request&) -> Response { throw std::runtime_error("boom"); });
  return app;
}

// Reads a serialized response back with http_parser.
struct ResponseReader {
  bool head = false;
  int messages = 0;
  int status = 0;
  std::string body;

  static int on_headers_complete(http_parser* p) {
    auto* self = static_cast<ResponseReader*>(p->data);
    self->status = static_cast<int>(p->status_code);
    return self->head ? 1 : 0;  // 1: a response to HEAD has no body whatever it says
  }
  static int on_body(http_parser* p, const char* at, std::size_t len) {
    static_cast<ResponseReader*>(p->data)->body.append(at, len);
    return 0;
  }
  static int on_message_complete(http_parser* p) {
    ++static_cast<ResponseReader*>(p->data)->messages;
    return 0;
  }
};

void check_wire(const std::string& wire, const Response& resp, bool head) {
  http_parser_settings settings;
  http_parser_settings_init(&settings);
  settings.on_headers_complete = ResponseReader::on_headers_complete;
  settings.on_body = ResponseReader::on_body;
  settings.on_message_complete = ResponseReader::on_message_complete;
  ResponseReader reader;
  reader.head = head;
  http_parser p;
  http_parser_init(&p, HTTP_RESPONSE);
  p.data = &reader;
  std::size_t n = http_parser_execute(&p, &settings, wire.data(), wire.size());
  if (HTTP_PARSER_ERRNO(&p) != HPE_OK) {
    std::fprintf(stderr, "response does not parse (%s) at byte %zu of:\n",
                 http_errno_description(HTTP_PARSER_ERRNO(&p)), n);
    for (unsigned char c : wire) {
      if (c >= 0x20 && c < 0x7f && c != '\\')
        std::fputc(c, stderr);
      else
        std::fprintf(stderr, c == '\n' ? "\\n\n" : "\\x%02x", c);
    }
  }
  FUZZ_REQUIRE(HTTP_PARSER_ERRNO(&p) == HPE_OK);
  FUZZ_REQUIRE(n == wire.size());
  FUZZ_REQUIRE(reader.messages == 1);
  FUZZ_REQUIRE(reader.status == resp.status);
  const bool no_body = resp.status < 200 || resp.status == 204 || resp.status == 304;
  FUZZ_REQUIRE(reader.body == (head || no_body ? std::string() : resp.body));
}

void dispatch(const App& app, Parsed& p) {
  Request& req = p.request;
  DispatchInfo info;
  const bool head = req.method == "HEAD";
  Response resp = app.handle(req, &info);
  if (info.route.empty()) {
    FUZZ_REQUIRE(resp.status == 404 || resp.status == 405);
    FUZZ_REQUIRE((resp.status == 405) == resp.headers.has("Allow"));
  } else {
    for (const auto& [name, value] : req.params) FUZZ_REQUIRE(name == "path" || !value.empty());
  }
  if (head) {
    // HEAD is served by the GET handler, exactly as GET would be (the body is dropped on the wire).
    Request as_get = req;
    as_get.method = "GET";
    DispatchInfo get_info;
    Response get_resp = app.handle(as_get, &get_info);
    FUZZ_REQUIRE(get_info.route == info.route && get_resp.status == resp.status);
  }
  if (info.route == "/boom") FUZZ_REQUIRE(resp.status == 500 && !info.error.empty());
  if (info.route == "/users/:id") FUZZ_REQUIRE(req.param("id").find('/') == std::string_view::npos);

  std::string wire;
  forksafe::serve::serialize_response(resp, ResponseFraming{head, p.keep_alive, req.http_minor},
                                      "Thu, 01 Jan 1970 00:00:00 GMT", &wire);
  check_wire(wire, resp, head);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const char* stream = reinterpret_cast<const char*>(data + 1);
  const std::size_t len = size - 1;

  Outcome whole = parse_whole(stream, len);
  Outcome split = parse_split(stream, len, data[0]);
  FUZZ_REQUIRE(whole.requests.size() == split.requests.size());
  for (std::size_t i = 0; i < whole.requests.size(); ++i)
    FUZZ_REQUIRE(same(whole.requests[i], split.requests[i]));
  // Both runs fail, or neither. Which 4xx is reported may differ: the size limits are checked on
  // the pieces http_parser hands over, which end where a read ends, while its syntax checks run
  // per byte. So in "GET /aaa...\xff" the whole run sees the bad byte before the URL callback
  // (400 "invalid URL") and a split run may see the URL grow past its limit first (400 "request
  // line too long"); a long header name with a bad byte gives 400 or 431 the same way.
  FUZZ_REQUIRE((whole.error_status != 0) == (split.error_status != 0));
  FUZZ_REQUIRE(whole.partial == split.partial);

  const App app = make_app();
  for (Parsed& p : whole.requests) dispatch(app, p);
  return 0;
}
