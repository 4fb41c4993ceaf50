// HTTP/1 framing tests: parser limits, smuggling defences, pipelining and serialization, no
// sockets.
#include "http1.hpp"

#include <gtest/gtest.h>
#include <http_parser.h>

#include <string>
#include <vector>

using forksafe::Request;
using forksafe::Response;
using forksafe::serve::Limits;
using forksafe::serve::RequestParser;
using forksafe::serve::ResponseFraming;
using forksafe::serve::serialize_response;

namespace {

struct Parsed {
  std::vector<Request> requests;
  int error = 0;
  bool keep_alive = false;
};

// Parses `wire` delivered in two reads cut at `cut` (0: whole), the way a socket may split it.
Parsed parse_cut(const std::string& wire, std::size_t cut, Limits limits = {}) {
  Parsed out;
  RequestParser p(limits);
  std::string buffer;
  for (const std::string& piece : {wire.substr(0, cut), wire.substr(cut)}) {
    buffer += piece;
    std::size_t pos = 0;
    while (pos < buffer.size()) {
      std::size_t used = 0;
      auto st = p.feed(buffer.data() + pos, buffer.size() - pos, &used);
      pos += used;
      if (st == RequestParser::Status::kError) {
        out.error = p.error_status();
        return out;
      }
      if (st != RequestParser::Status::kRequest) break;
      out.keep_alive = p.keep_alive();
      out.requests.push_back(p.take());
      p.next();
    }
    buffer.erase(0, pos);
  }
  return out;
}

Parsed parse_all(const std::string& wire, Limits limits = {}) { return parse_cut(wire, 0, limits); }

TEST(Http1, SimpleGet) {
  Parsed p = parse_all("GET /a/b?x=1 HTTP/1.1\r\nHost: h\r\nX-Thing: v\r\n\r\n");
  ASSERT_EQ(p.requests.size(), 1u);
  EXPECT_EQ(p.requests[0].method, "GET");
  EXPECT_EQ(p.requests[0].path, "/a/b");
  EXPECT_EQ(p.requests[0].query, "x=1");
  EXPECT_EQ(p.requests[0].header("x-thing"), "v");
  EXPECT_TRUE(p.keep_alive);
}

TEST(Http1, PipelinedRequestsComeOutInOrder) {
  std::string wire;
  for (int i = 0; i < 3; ++i) wire += "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: h\r\n\r\n";
  Parsed p = parse_all(wire);
  ASSERT_EQ(p.requests.size(), 3u);
  EXPECT_EQ(p.requests[0].path, "/0");
  EXPECT_EQ(p.requests[2].path, "/2");
}

TEST(Http1, ByteByByteFeeding) {
  std::string wire = "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello";
  RequestParser p(Limits{});
  int completed = 0;
  for (char c : wire) {
    std::size_t used = 0;
    auto st = p.feed(&c, 1, &used);
    ASSERT_NE(st, RequestParser::Status::kError);
    if (st == RequestParser::Status::kRequest) {
      EXPECT_EQ(p.take().body, "hello");
      ++completed;
    }
  }
  EXPECT_EQ(completed, 1);
}

TEST(Http1, ChunkedBodyIsJoined) {
  Parsed p = parse_all(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  ASSERT_EQ(p.requests.size(), 1u);
  EXPECT_EQ(p.requests[0].body, "hello world");
}

TEST(Http1, ConnectionCloseAndHttp10) {
  EXPECT_FALSE(parse_all("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").keep_alive);
  EXPECT_FALSE(parse_all("GET / HTTP/1.0\r\n\r\n").keep_alive);
  EXPECT_TRUE(parse_all("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keep_alive);
}

TEST(Http1, SmugglingAttemptsAreRejected) {
  EXPECT_EQ(parse_all("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: "
                      "chunked\r\n\r\n0\r\n\r\n")
                .error,
            400);
  EXPECT_EQ(
      parse_all("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc")
          .error,
      400);
  EXPECT_EQ(parse_all("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3x\r\n\r\nabc").error, 400);
  EXPECT_EQ(
      parse_all(
          "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n")
          .error,
      400);
  EXPECT_EQ(parse_all("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\nabc").error,
            400);
}

// Like Gunicorn, a missing Host is accepted (no virtual hosting here); two are refused.
TEST(Http1, MissingHostIsAcceptedDuplicateHostIs400) {
  EXPECT_EQ(parse_all("GET / HTTP/1.1\r\n\r\n").requests.size(), 1u);
  EXPECT_EQ(parse_all("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").error, 400);
}

TEST(Http1, Limits) {
  Limits l;
  l.request_line = 64;
  l.fields = 3;
  l.field_size = 32;
  l.body = 10;
  EXPECT_EQ(parse_all("GET /" + std::string(100, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", l).error,
            400);
  EXPECT_EQ(parse_all("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", l).error, 431);
  EXPECT_EQ(
      parse_all("GET / HTTP/1.1\r\nHost: h\r\nA: " + std::string(40, 'x') + "\r\n\r\n", l).error,
      431);
  EXPECT_EQ(parse_all("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", l).error, 413);
  EXPECT_EQ(parse_all("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: "
                      "chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n",
                      l)
                .error,
            413);
  EXPECT_EQ(parse_all("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789", l)
                .requests.size(),
            1u);
}

TEST(Http1, ExpectContinue) {
  RequestParser p(Limits{});
  std::string head =
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n";
  std::size_t used = 0;
  EXPECT_EQ(p.feed(head.data(), head.size(), &used), RequestParser::Status::kNeedMore);
  EXPECT_TRUE(p.take_continue());
  EXPECT_FALSE(p.take_continue());
  EXPECT_EQ(p.feed("ok", 2, &used), RequestParser::Status::kRequest);
  EXPECT_EQ(
      parse_all("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nExpect: magic\r\n\r\nok").error,
      417);
}

TEST(Http1, SerializeKeepAliveCloseAndHead) {
  Response r = Response::text("hi");
  r.headers.add("X-Evil", "a\r\nInjected: 1");
  r.headers.add("Content-Length", "999");
  std::string out;
  serialize_response(r, ResponseFraming{false, true, 1}, "DATE", &out);
  EXPECT_EQ(out.find("HTTP/1.1 200 OK\r\n"), 0u);
  EXPECT_NE(out.find("Content-Length: 2\r\n"), std::string::npos);
  EXPECT_EQ(out.find("999"), std::string::npos);
  EXPECT_EQ(out.find("Injected"), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 6), "\r\n\r\nhi");
  out.clear();
  serialize_response(r, ResponseFraming{true, false, 1}, "DATE", &out);
  EXPECT_NE(out.find("Connection: close\r\n"), std::string::npos);
  EXPECT_NE(out.find("Content-Length: 2\r\n"), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n");
}

// Found by tests/fuzz/http_request_fuzz: a handler copying a decoded "%00" into a header value
// produced a response strict clients reject.
TEST(Http1, SerializeDropsInvalidFields) {
  Response r = Response::text("hi");
  r.headers.add("X-Nul", std::string("a\0b", 3));
  r.headers.add("X-Bell", "a\x07-b");
  r.headers.add("", "empty name");
  r.headers.add("X Space", "v");
  r.headers.add("X-Tab", "a\tb");
  r.headers.add("X-Utf8", "caf\xc3\xa9");
  std::string out;
  serialize_response(r, ResponseFraming{false, true, 1}, "DATE", &out);
  EXPECT_EQ(out.find("X-Nul"), std::string::npos);
  EXPECT_EQ(out.find("X-Bell"), std::string::npos);
  EXPECT_EQ(out.find("empty name"), std::string::npos);
  EXPECT_EQ(out.find("X Space"), std::string::npos);
  EXPECT_NE(out.find("X-Tab: a\tb\r\n"), std::string::npos);
  EXPECT_NE(out.find("X-Utf8: caf\xc3\xa9\r\n"), std::string::npos);
}

// http_parser-based clients read any field whose name starts with "Transfer-Encoding" as the
// framing field, and refuse it next to Content-Length (fuzz seed
// regress_transfer_encoding_prefix_in_response). The server never emits one.
TEST(Http1, SerializeDropsFieldsReadAsTransferEncoding) {
  Response r = Response::text("abc");
  r.headers.add("Transfer-Encoding", "chunked");
  r.headers.add("Transfer-Encodingwwwwwaaaaa", "\xee");
  r.headers.add("transfer-encoding-hint", "gzip");
  r.headers.add("X-Transfer-Encoding", "kept");
  r.headers.add("Transfer-Encod", "kept too");
  std::string out;
  serialize_response(r, ResponseFraming{false, true, 1}, "DATE", &out);
  EXPECT_EQ(out.find("\r\nTransfer-Encoding:"), std::string::npos);
  EXPECT_EQ(out.find("\r\nTransfer-Encodingw"), std::string::npos);
  EXPECT_EQ(out.find("\r\ntransfer-encoding-hint"), std::string::npos);
  EXPECT_NE(out.find("X-Transfer-Encoding: kept\r\n"), std::string::npos);
  EXPECT_NE(out.find("Transfer-Encod: kept too\r\n"), std::string::npos);

  // Read back with http_parser, as a client does: one message, framed by Content-Length.
  http_parser p;
  http_parser_init(&p, HTTP_RESPONSE);
  http_parser_settings settings;
  http_parser_settings_init(&settings);
  std::size_t n = http_parser_execute(&p, &settings, out.data(), out.size());
  EXPECT_EQ(HTTP_PARSER_ERRNO(&p), HPE_OK) << http_errno_name(HTTP_PARSER_ERRNO(&p));
  EXPECT_EQ(n, out.size());
}

}  // namespace

namespace {

std::string summary(const Parsed& p) {
  std::string s = "error=" + std::to_string(p.error);
  for (const Request& r : p.requests) {
    s += "|" + r.method + " " + r.target + " " + r.body;
    for (const auto& [n, v] : r.headers) s += ";" + n + "=" + v;
    for (const auto& [n, v] : r.trailers) s += ";T:" + n + "=" + v;
  }
  return s;
}

}  // namespace

TEST(Http1, EverySplitPointGivesTheSameResult) {
  const std::vector<std::string> wires = {
      "GET /a HTTP/1.1\r\nHost: h\r\nX-A:  v  \r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: "
      "3\r\n\r\nabc",
      "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;e=\"q\"\r\nabc\r\n0\r\nX-T: "
      "1\r\n\r\n"
      "QUERY /q HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.1\r\nX-Long: one\r\n two\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3 \r\nabc\r\n0\r\n\r\n",
      "GET / HTTP/1.1\r\nA: b\rc\r\n\r\n",
  };
  for (const std::string& wire : wires) {
    const std::string whole = summary(parse_cut(wire, 0));
    for (std::size_t cut = 1; cut < wire.size(); ++cut)
      ASSERT_EQ(summary(parse_cut(wire, cut)), whole) << "cut at " << cut << " of: " << wire;
  }
}

TEST(Http1, FramingStrictness) {
  EXPECT_EQ(parse_all("GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n").error, 400);  // obs-fold
  EXPECT_EQ(parse_all("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n").error, 400);     // bare CR
  EXPECT_EQ(parse_all("GET  / HTTP/1.1\r\n\r\n").error, 400);               // two spaces
  EXPECT_EQ(parse_all("GET / HTTP/1.1\r\nTransfer-Encoding : chunked\r\n\r\n").error, 400);
  EXPECT_EQ(parse_all("GET / HTTP/1.1\r\nX: a\x0b\r\n\r\n").error, 400);  // VT
  EXPECT_EQ(parse_all("GET / HTTP/2.0\r\n\r\n").error, 505);
  EXPECT_EQ(parse_all("GET * HTTP/1.1\r\n\r\n").error, 400);
  EXPECT_EQ(parse_all("get / HTTP/1.1\r\n\r\n").error, 400);
  const std::string chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_EQ(parse_all(chunked + "3 \r\nabc\r\n0\r\n\r\n").error, 400);  // BWS, no ext
  EXPECT_EQ(parse_all(chunked + "3;x\nGET / HTTP/1.1\r\nabc\r\n0\r\n\r\n").error, 400);
  EXPECT_EQ(parse_all(chunked + "3\r\nabcdef\r\n0\r\n\r\n").error, 400);
  EXPECT_EQ(parse_all(chunked + "1\r\nx\r\n0\r\nHost: evil\r\n\r\n").error, 400);  // trailer
  EXPECT_EQ(parse_all("POST / HTTP/1.1\r\nTransfer-Encoding: br, chunked\r\n\r\n0\r\n\r\n").error,
            501);
  EXPECT_EQ(parse_all("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").error, 400);
}

TEST(Http1, ExtensionMethodsTrailersAndAbsoluteForm) {
  Parsed p = parse_all(
      "QUERY http://h.test/s?x=1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2;note=\"a;b\"\r\nhi\r\n0\r\nX-Sum: 9 \r\n\r\n");
  ASSERT_EQ(p.error, 0);
  ASSERT_EQ(p.requests.size(), 1u);
  const Request& r = p.requests[0];
  EXPECT_EQ(r.method, "QUERY");
  EXPECT_EQ(r.target, "http://h.test/s?x=1");
  EXPECT_EQ(r.path, "/s");
  EXPECT_EQ(r.query, "x=1");
  EXPECT_EQ(r.body, "hi");
  EXPECT_EQ(r.trailers.get("X-Sum"), "9");
  EXPECT_FALSE(r.headers.has("X-Sum"));
}
