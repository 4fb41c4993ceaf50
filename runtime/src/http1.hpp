// HTTP/1.x framing: http_parser-driven request parsing with limits, and response serialization.
//
// This module is the only place that knows about the wire format. It is socket-free: callers feed
// bytes and get whole Requests (bodies de-chunked) or an error status, and turn Responses into
// bytes. A request reaches the caller only with a complete, unambiguous frame: Content-Length with
// Transfer-Encoding, duplicate or invalid Content-Length, a transfer coding list whose last coding
// is not chunked, chunked framing in HTTP/1.0, malformed chunk lines, obs-fold, bare CR and
// control bytes are answered 400 (unknown transfer codings 501, other HTTP major versions 505)
// and the connection is closed, so a request can never be smuggled past this layer
// (docs/security.md). FrameGuard (frame_guard.hpp) adds the byte-level strictness http_parser
// lacks.
//
// The method token is read here rather than by http_parser, whose fixed method table would refuse
// extension methods (QUERY, custom WebDAV verbs); http_parser then parses the rest of the message
// behind a stand-in method. Everything else — request line, fields, chunked coding — is its job.
#ifndef FORKSAFE_SERVE_HTTP1_HPP
#define FORKSAFE_SERVE_HTTP1_HPP

#include <http_parser.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "forksafe/request.hpp"
#include "forksafe/response.hpp"
#include "frame_guard.hpp"

namespace forksafe::serve {

struct Limits {
  std::size_t request_line = 4094;
  std::size_t fields = 100;
  std::size_t field_size = 8190;
  std::size_t body = 1024 * 1024;  // 0: unlimited
};

class RequestParser {
 public:
  enum class Status { kNeedMore, kRequest, kError };

  explicit RequestParser(const Limits& limits);
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  /// Parses up to one request from `data`; `*consumed` tells how many bytes were used. After
  /// kRequest, take the request with take() and call next() before feeding more.
  Status feed(const char* data, std::size_t len, std::size_t* consumed);
  /// The completed request (moved out).
  Request take() { return std::move(request_); }
  /// Prepares for the next pipelined request.
  void next();

  /// True once any byte of the current request arrived (used for idle vs header timeouts).
  bool started() const { return started_; }
  /// True between headers-complete and message-complete.
  bool reading_body() const { return headers_done_ && !complete_; }
  /// True once: the client sent "Expect: 100-continue" and the body is still to come.
  bool take_continue() {
    bool c = continue_pending_;
    continue_pending_ = false;
    return c;
  }
  /// Whether the connection may carry another request after this one.
  bool keep_alive() const { return keep_alive_; }
  int error_status() const { return error_status_; }
  const std::string& error_reason() const { return error_reason_; }

 private:
  static const http_parser_settings& parser_settings();
  std::size_t scan_method(const char* data, std::size_t len);
  bool execute(const char* data, std::size_t len, std::size_t* consumed);
  int check_framing(const http_parser* p);
  int set_target();
  bool finish_field(Headers& fields);
  static int on_message_begin(http_parser* p);
  static int on_url(http_parser* p, const char* at, std::size_t len);
  static int on_header_field(http_parser* p, const char* at, std::size_t len);
  static int on_header_value(http_parser* p, const char* at, std::size_t len);
  static int on_headers_complete(http_parser* p);
  static int on_chunk_header(http_parser* p);
  static int on_body(http_parser* p, const char* at, std::size_t len);
  static int on_message_complete(http_parser* p);
  int fail(int status, std::string reason);
  bool check_field_size(Headers& fields);

  Limits limits_;
  http_parser parser_;
  Request request_;
  std::string url_;
  std::string method_;  // the method token, read by scan_method()
  bool method_done_ = false;
  std::size_t fields_ = 0;
  bool in_value_ = false;
  FrameGuard guard_;
  bool chunked_ = false;
  bool started_ = false;
  bool headers_done_ = false;
  bool complete_ = false;
  bool continue_pending_ = false;
  bool keep_alive_ = false;
  int error_status_ = 0;
  std::string error_reason_;
};

struct ResponseFraming {
  bool head = false;       // HEAD: send headers (with the real Content-Length) but no body
  bool keep_alive = true;  // false adds "Connection: close"
  int http_minor = 1;      // HTTP/1.0 keep-alive needs an explicit "Connection: keep-alive"
};

/// Appends the wire form of `r` to `out`. Handler headers that would break framing
/// (Content-Length, Transfer-Encoding, Connection, Date) or are not valid fields (a name that is
/// not a token, a value with CR, LF, NUL or another control character) are dropped.
void serialize_response(const Response& r, const ResponseFraming& framing, std::string_view date,
                        std::string* out);

/// A short plain-text response for a protocol error (400, 408, 413, 431, ...).
Response error_response(int status);

}  // namespace forksafe::serve

#endif  // FORKSAFE_SERVE_HTTP1_HPP
