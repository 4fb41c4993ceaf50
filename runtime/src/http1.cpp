// HTTP/1.x request parsing (via http_parser) and response serialization.
#include "http1.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstring>

namespace forksafe::serve {

RequestParser::RequestParser(const Limits& limits) : limits_(limits) {
  http_parser_init(&parser_, HTTP_REQUEST);
  parser_.data = this;
}

// Immutable after first use; one callback table shared by every parser in the process.
const http_parser_settings& RequestParser::parser_settings() {
  static const http_parser_settings table = [] {
    http_parser_settings s;
    http_parser_settings_init(&s);
    s.on_message_begin = on_message_begin;
    s.on_url = on_url;
    s.on_header_field = on_header_field;
    s.on_header_value = on_header_value;
    s.on_headers_complete = on_headers_complete;
    s.on_body = on_body;
    s.on_message_complete = on_message_complete;
    return s;
  }();
  return table;
}

RequestParser::Status RequestParser::feed(const char* data, std::size_t len,
                                          std::size_t* consumed) {
  *consumed = 0;
  if (error_status_) return Status::kError;
  std::size_t n = http_parser_execute(&parser_, &parser_settings(), data, len);
  *consumed = n;
  if (complete_) return Status::kRequest;
  http_errno err = HTTP_PARSER_ERRNO(&parser_);
  if (err != HPE_OK) {
    if (!error_status_) {
      fail(err == HPE_HEADER_OVERFLOW ? 431 : 400,
           fmt::format("bad request: {}", http_errno_description(err)));
    }
    return Status::kError;
  }
  return Status::kNeedMore;
}

void RequestParser::next() {
  request_ = Request();
  url_.clear();
  fields_ = 0;
  in_value_ = false;
  started_ = false;
  headers_done_ = false;
  complete_ = false;
  continue_pending_ = false;
  http_parser_pause(&parser_, 0);
}

int RequestParser::fail(int status, std::string reason) {
  error_status_ = status;
  error_reason_ = std::move(reason);
  return -1;
}

bool RequestParser::check_field_size() {
  const auto& f = request_.headers.back();
  return f.first.size() + f.second.size() <= limits_.field_size;
}

int RequestParser::on_message_begin(http_parser* p) {
  auto* self = static_cast<RequestParser*>(p->data);
  self->started_ = true;
  return 0;
}

int RequestParser::on_url(http_parser* p, const char* at, std::size_t len) {
  auto* self = static_cast<RequestParser*>(p->data);
  self->url_.append(at, len);
  std::size_t method_len = std::strlen(http_method_str(static_cast<http_method>(p->method)));
  if (method_len + 1 + self->url_.size() + 9 > self->limits_.request_line)
    return self->fail(400, "request line too long");
  return 0;
}

int RequestParser::on_header_field(http_parser* p, const char* at, std::size_t len) {
  auto* self = static_cast<RequestParser*>(p->data);
  if (self->in_value_ || self->fields_ == 0) {
    if (++self->fields_ > self->limits_.fields) return self->fail(431, "too many header fields");
    self->request_.headers.add(std::string(at, len), std::string());
    self->in_value_ = false;
  } else {
    self->request_.headers.back().first.append(at, len);
  }
  if (!self->check_field_size()) return self->fail(431, "header field too large");
  return 0;
}

int RequestParser::on_header_value(http_parser* p, const char* at, std::size_t len) {
  auto* self = static_cast<RequestParser*>(p->data);
  self->in_value_ = true;
  self->request_.headers.back().second.append(at, len);
  if (!self->check_field_size()) return self->fail(431, "header field too large");
  return 0;
}

int RequestParser::on_headers_complete(http_parser* p) {
  auto* self = static_cast<RequestParser*>(p->data);
  Request& r = self->request_;
  self->headers_done_ = true;
  r.method = http_method_str(static_cast<http_method>(p->method));
  r.http_major = p->http_major;
  r.http_minor = p->http_minor;
  if (p->method == HTTP_CONNECT) return self->fail(400, "CONNECT is not supported");
  std::string target = self->url_;
  if (!target.empty() && target[0] != '/' && target != "*") {
    // absolute-form ("http://host/path?q"): keep path and query only
    http_parser_url u;
    http_parser_url_init(&u);
    if (http_parser_parse_url(target.data(), target.size(), 0, &u) != 0)
      return self->fail(400, "bad request target");
    std::string rebuilt = (u.field_set & (1 << UF_PATH))
                              ? target.substr(u.field_data[UF_PATH].off, u.field_data[UF_PATH].len)
                              : std::string("/");
    if (u.field_set & (1 << UF_QUERY))
      rebuilt += "?" + target.substr(u.field_data[UF_QUERY].off, u.field_data[UF_QUERY].len);
    target = std::move(rebuilt);
  }
  if (!r.set_target(std::move(target))) return self->fail(400, "bad percent-encoding in path");
  if (p->http_major == 1 && p->http_minor >= 1 && r.headers.count("Host") != 1)
    return self->fail(400, "HTTP/1.1 request needs exactly one Host header");
  if (self->limits_.body && (p->flags & F_CONTENTLENGTH) && p->content_length > self->limits_.body)
    return self->fail(413, "request body too large");
  if (r.headers.has("Expect")) {
    if (!iequals(r.headers.get("Expect"), "100-continue"))
      return self->fail(417, "unsupported Expect");
    bool has_body =
        (p->flags & F_CHUNKED) || ((p->flags & F_CONTENTLENGTH) && p->content_length > 0);
    self->continue_pending_ = has_body && p->http_minor >= 1;
  }
  return 0;
}

int RequestParser::on_body(http_parser* p, const char* at, std::size_t len) {
  auto* self = static_cast<RequestParser*>(p->data);
  self->continue_pending_ = false;
  if (self->limits_.body && self->request_.body.size() + len > self->limits_.body)
    return self->fail(413, "request body too large");
  self->request_.body.append(at, len);
  return 0;
}

int RequestParser::on_message_complete(http_parser* p) {
  auto* self = static_cast<RequestParser*>(p->data);
  self->complete_ = true;
  self->continue_pending_ = false;
  self->keep_alive_ = http_should_keep_alive(p) && !p->upgrade;
  http_parser_pause(p, 1);  // one request at a time: pipelined ones wait in the buffer, in order
  return 0;
}

std::string_view DateCache::get() {
  std::time_t now = std::time(nullptr);
  if (now != second_) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    std::size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    value_.assign(buf, n);
    second_ = now;
  }
  return value_;
}

void serialize_response(const Response& r, const ResponseFraming& framing, std::string_view date,
                        std::string* out) {
  const bool no_body = r.status < 200 || r.status == 204 || r.status == 304;
  // Plain appends rather than fmt: this runs once per response on the hot path.
  char digits[24];
  out->append("HTTP/1.1 ");
  out->append(digits, static_cast<std::size_t>(
                          std::to_chars(digits, digits + sizeof digits, r.status).ptr - digits));
  out->push_back(' ');
  out->append(reason_phrase(r.status));
  out->append("\r\nServer: forksafe\r\nDate: ");
  out->append(date);
  out->append("\r\n");
  if (!no_body) {
    out->append("Content-Length: ");
    out->append(digits,
                static_cast<std::size_t>(
                    std::to_chars(digits, digits + sizeof digits, r.body.size()).ptr - digits));
    out->append("\r\n");
  }
  if (!framing.keep_alive) {
    out->append("Connection: close\r\n");
  } else if (framing.http_minor == 0) {
    out->append("Connection: keep-alive\r\n");
  }
  for (const auto& [name, value] : r.headers) {
    if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
        iequals(name, "Connection") || iequals(name, "Date") || iequals(name, "Server"))
      continue;
    if (name.find_first_of("\r\n:") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos)
      continue;
    out->append(name).append(": ").append(value).append("\r\n");
  }
  out->append("\r\n");
  if (!framing.head && !no_body) out->append(r.body);
}

Response error_response(int status) {
  return Response::text(fmt::format("{} {}\n", status, reason_phrase(status)), status);
}

}  // namespace forksafe::serve
