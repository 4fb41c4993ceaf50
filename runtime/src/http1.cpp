// HTTP/1.x request parsing (via http_parser) and response serialization.
#include "http1.hpp"

#include <fmt/format.h>

#include <algorithm>
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
    s.on_chunk_header = on_chunk_header;
    s.on_message_complete = on_message_complete;
    return s;
  }();
  return table;
}

namespace {

// RFC 9110 tchar, minus lowercase letters and '#': like Gunicorn, methods are conventional
// upper-case tokens of 3 to 20 characters; anything else is refused before it reaches routing.
bool token_char(char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}
bool method_char(char c) { return token_char(c) && !(c >= 'a' && c <= 'z') && c != '#'; }

// RFC 9110 field-name: a token (which also keeps out ':', CR, LF and spaces).
bool valid_field_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), token_char);
}

// RFC 9110 field-value: no control characters but HTAB. CR/LF would split a message, and NUL
// (say, a percent-decoded "%00" a handler copies into a header) makes clients reject it.
bool valid_field_value(std::string_view value) {
  for (unsigned char c : value) {
    if ((c < ' ' && c != '\t') || c == 0x7f) return false;
  }
  return true;
}
constexpr std::size_t kMaxMethod = 20;
constexpr std::size_t kMinMethod = 3;

// The codings a proxy may legitimately have stacked before the final "chunked"; they are passed
// to the handler undecoded (as Gunicorn does). Any other coding is answered 501.
bool known_coding(std::string_view c) {
  for (std::string_view k :
       {"chunked", "gzip", "x-gzip", "deflate", "compress", "x-compress", "identity"})
    if (iequals(c, k)) return true;
  return false;
}

std::string_view trim_ows(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

// RFC 9110 §6.5.1: fields that frame, route or authenticate a message never come from a trailer.
bool forbidden_trailer(std::string_view name) {
  for (std::string_view f :
       {"Host", "Content-Length", "Transfer-Encoding", "Trailer", "TE", "Authorization",
        "Proxy-Authorization", "Connection", "Upgrade", "Keep-Alive", "Expect"})
    if (iequals(name, f)) return true;
  return false;
}

}  // namespace

// Reads the method token of a new message (after the empty lines RFC 9112 lets a server skip),
// then hands http_parser a stand-in method so it parses the rest of the request line. Returns the
// bytes of `data` it used.
std::size_t RequestParser::scan_method(const char* data, std::size_t len) {
  std::size_t i = 0;
  if (method_.empty()) {
    while (i < len && (data[i] == '\r' || data[i] == '\n')) ++i;
  }
  for (; i < len; ++i) {
    char c = data[i];
    started_ = true;
    if (c == ' ') {
      if (method_.size() < kMinMethod) {
        fail(400, "invalid HTTP method");
        return i;
      }
      method_done_ = true;
      // CONNECT keeps its own name: http_parser then expects an authority-form target.
      const char* stand_in = method_ == "CONNECT" ? "CONNECT " : "PUT ";
      http_parser_execute(&parser_, &parser_settings(), stand_in, std::strlen(stand_in));
      return i + 1;
    }
    if (!method_char(c) || method_.size() == kMaxMethod) {
      fail(400, "invalid HTTP method");
      return i;
    }
    method_.push_back(c);
  }
  return i;
}

// Runs http_parser over `len` bytes (never 0, which would mean EOF); false once it stopped with
// an error, which is then recorded.
bool RequestParser::execute(const char* data, std::size_t len, std::size_t* consumed) {
  std::size_t n = http_parser_execute(&parser_, &parser_settings(), data, len);
  *consumed += n;
  if (complete_) return true;
  http_errno err = HTTP_PARSER_ERRNO(&parser_);
  if (err == HPE_OK && !error_status_ && n == len) return true;
  if (!error_status_) {
    fail(err == HPE_HEADER_OVERFLOW ? 431 : 400,
         fmt::format("bad request: {}", http_errno_description(err)));
  }
  return false;
}

RequestParser::Status RequestParser::feed(const char* data, std::size_t len,
                                          std::size_t* consumed) {
  *consumed = 0;
  if (error_status_) return Status::kError;
  if (!method_done_) {
    *consumed = scan_method(data, len);
    if (error_status_) return Status::kError;
    if (!method_done_) return Status::kNeedMore;
  }
  // The header section and a chunked body pass FrameGuard before http_parser sees them; the
  // header part goes first so that chunked framing is known before the body is checked.
  std::string why;
  if (!guard_.header_done() && *consumed < len) {
    std::size_t head = guard_.header_section(data + *consumed, len - *consumed, &why);
    if (head == FrameGuard::kError) {
      fail(400, why);
      return Status::kError;
    }
    if (head > 0 && !execute(data + *consumed, head, consumed)) return Status::kError;
  }
  if (!complete_ && headers_done_ && *consumed < len) {
    std::size_t body = len - *consumed;
    if (chunked_) body = guard_.chunked_body(data + *consumed, body, &why);
    if (body == FrameGuard::kError) {
      fail(400, why);
      return Status::kError;
    }
    if (body > 0 && !execute(data + *consumed, body, consumed)) return Status::kError;
  }
  return complete_ ? Status::kRequest : Status::kNeedMore;
}

void RequestParser::next() {
  request_ = Request();
  url_.clear();
  method_.clear();
  method_done_ = false;
  chunked_ = false;
  guard_.reset();
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

bool RequestParser::check_field_size(Headers& fields) {
  // The whole field line counts: name, ": ", value and CRLF, as Gunicorn counts it.
  const auto& f = fields.back();
  return f.first.size() + f.second.size() + 4 <= limits_.field_size;
}

int RequestParser::on_message_begin(http_parser* p) {
  auto* self = static_cast<RequestParser*>(p->data);
  self->started_ = true;
  return 0;
}

int RequestParser::on_url(http_parser* p, const char* at, std::size_t len) {
  auto* self = static_cast<RequestParser*>(p->data);
  self->url_.append(at, len);
  if (self->method_.size() + 1 + self->url_.size() + 9 > self->limits_.request_line)
    return self->fail(400, "request line too long");
  return 0;
}

int RequestParser::on_header_field(http_parser* p, const char* at, std::size_t len) {
  auto* self = static_cast<RequestParser*>(p->data);
  // After the header section, fields are a chunked body's trailer section.
  Headers& fields = self->headers_done_ ? self->request_.trailers : self->request_.headers;
  if (self->in_value_ || self->fields_ == 0 || fields.empty()) {
    if (!self->finish_field(fields)) return -1;
    if (++self->fields_ > self->limits_.fields) return self->fail(431, "too many header fields");
    fields.add(std::string(at, len), std::string());
    self->in_value_ = false;
  } else {
    fields.back().first.append(at, len);
  }
  if (!self->check_field_size(fields)) return self->fail(431, "header field too large");
  return 0;
}

int RequestParser::on_header_value(http_parser* p, const char* at, std::size_t len) {
  auto* self = static_cast<RequestParser*>(p->data);
  Headers& fields = self->headers_done_ ? self->request_.trailers : self->request_.headers;
  self->in_value_ = true;
  fields.back().second.append(at, len);
  if (!self->check_field_size(fields)) return self->fail(431, "header field too large");
  return 0;
}

// Ends the field being read: its name must be a token (no whitespace before the colon, RFC 9112
// §5.1), its value free of control characters (RFC 9110 §5.5), and the optional whitespace
// http_parser leaves at the end of the value is trimmed.
bool RequestParser::finish_field(Headers& fields) {
  if (fields.empty()) return true;
  auto& [name, value] = fields.back();
  if (!valid_field_name(name)) {
    fail(400, "invalid character in a field name");
    return false;
  }
  if (!valid_field_value(value)) {
    fail(400, "control character in a field value");
    return false;
  }
  std::size_t keep = trim_ows(value).size();
  if (keep != value.size()) value.resize(keep);  // leading OWS is already gone
  return true;
}

int RequestParser::on_headers_complete(http_parser* p) {
  auto* self = static_cast<RequestParser*>(p->data);
  Request& r = self->request_;
  if (!self->finish_field(r.headers)) return -1;
  self->headers_done_ = true;
  self->in_value_ = false;
  r.method = self->method_;
  r.http_major = p->http_major;
  r.http_minor = p->http_minor;
  self->chunked_ = (p->flags & F_CHUNKED) != 0;
  if (p->http_major != 1) return self->fail(505, "HTTP version not supported");
  if (int status = self->check_framing(p)) return self->fail(status, self->error_reason_);
  if (int status = self->set_target(); status) return self->fail(status, self->error_reason_);
  if (r.headers.count("Host") > 1) return self->fail(400, "more than one Host header");
  if (r.headers.count("Content-Type") > 1) return self->fail(400, "more than one Content-Type");
  if (self->limits_.body && (p->flags & F_CONTENTLENGTH) && p->content_length > self->limits_.body)
    return self->fail(413, "request body too large");
  if (r.headers.has("Expect")) {
    if (!iequals(r.headers.get("Expect"), "100-continue"))
      return self->fail(417, "unsupported Expect");
    bool has_body = self->chunked_ || ((p->flags & F_CONTENTLENGTH) && p->content_length > 0);
    self->continue_pending_ = has_body && p->http_minor >= 1;
  }
  return 0;
}

// Transfer-Encoding beyond what http_parser checks (it already refuses it next to Content-Length):
// chunked must be the final coding and appear once, only in HTTP/1.1, and every other coding must
// be one we know. Returns 0, or the status to answer with error_reason_ set.
int RequestParser::check_framing(const http_parser* p) {
  bool any = false, chunked_last = false;
  int chunked = 0;
  for (const auto& [name, value] : request_.headers) {
    if (!iequals(name, "Transfer-Encoding")) continue;
    std::string_view rest = value;
    while (true) {
      std::size_t comma = rest.find(',');
      std::string_view coding = trim_ows(rest.substr(0, comma));
      if (!coding.empty()) {
        any = true;
        chunked_last = iequals(coding, "chunked");
        chunked += chunked_last;
        if (!known_coding(coding)) {
          error_reason_ = fmt::format("unsupported transfer coding '{}'", coding);
          return 501;
        }
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (!any) return 0;
  if (p->http_minor == 0)
    error_reason_ = "Transfer-Encoding in an HTTP/1.0 request";
  else if (!chunked_last)
    error_reason_ = "chunked is not the final transfer coding";
  else if (chunked > 1)
    error_reason_ = "chunked applied more than once";
  else
    return 0;
  return 400;
}

// The request-target: origin-form ("/p?q"), absolute-form ("http://h/p?q", kept as received;
// path and query come from it), authority-form for CONNECT only, asterisk-form for OPTIONS only.
int RequestParser::set_target() {
  Request& r = request_;
  const bool asterisk = url_ == "*";
  if (asterisk || r.method == "CONNECT") {
    const bool fits = asterisk ? r.method == "OPTIONS" : !url_.empty() && url_[0] != '/';
    if (!fits) {
      error_reason_ = "request-target form does not fit the method";
      return 400;
    }
    r.target = url_;
    r.path = url_;
    return 0;
  }
  if (!url_.empty() && url_[0] == '/') {
    if (r.set_target(url_)) return 0;
    error_reason_ = "bad percent-encoding in path";
    return 400;
  }
  http_parser_url u;
  http_parser_url_init(&u);
  if (http_parser_parse_url(url_.data(), url_.size(), 0, &u) != 0 ||
      !(u.field_set & (1 << UF_HOST))) {
    error_reason_ = "bad request target";
    return 400;
  }
  auto part = [&](int field) {
    return std::string_view(url_).substr(u.field_data[field].off, u.field_data[field].len);
  };
  std::string origin((u.field_set & (1 << UF_PATH)) ? part(UF_PATH) : "/");
  if (u.field_set & (1 << UF_QUERY)) origin.append("?").append(part(UF_QUERY));
  if (!r.set_target(std::move(origin))) {
    error_reason_ = "bad percent-encoding in path";
    return 400;
  }
  r.target = url_;  // as received; path and query were taken from its origin part
  return 0;
}

// Refuses a chunk that would take the body over the limit before any of it arrives.
int RequestParser::on_chunk_header(http_parser* p) {
  auto* self = static_cast<RequestParser*>(p->data);
  if (self->limits_.body && p->content_length > self->limits_.body - self->request_.body.size())
    return self->fail(413, "request body too large");
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
  if (!self->finish_field(self->request_.trailers)) return -1;
  for (const auto& [name, value] : self->request_.trailers)
    if (forbidden_trailer(name))
      return self->fail(400, fmt::format("'{}' is not allowed in a trailer", name));
  self->complete_ = true;
  self->continue_pending_ = false;
  self->keep_alive_ = http_should_keep_alive(p) && !p->upgrade;
  http_parser_pause(p, 1);  // one request at a time: pipelined ones wait in the buffer, in order
  return 0;
}

// True for "Transfer-Encoding" and for every field name that merely starts with it
// ("Transfer-Encoding-Hint", "transfer-encodingx"). http_parser (Node.js's legacy parser and
// the many C clients embedding it) marks a message as transfer-coded as soon as a name's first 17
// characters match, so such a field next to our Content-Length makes those clients reject the
// response as ambiguously framed. The server owns framing: none of these reach the wire.
namespace {
bool reads_as_transfer_encoding(std::string_view name) {
  constexpr std::string_view te = "Transfer-Encoding";
  return name.size() >= te.size() && iequals(name.substr(0, te.size()), te);
}
}  // namespace

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
    if (iequals(name, "Content-Length") || reads_as_transfer_encoding(name) ||
        iequals(name, "Connection") || iequals(name, "Date") || iequals(name, "Server"))
      continue;
    if (!valid_field_name(name) || !valid_field_value(value)) continue;
    out->append(name).append(": ").append(value).append("\r\n");
  }
  out->append("\r\n");
  if (!framing.head && !no_body) out->append(r.body);
}

Response error_response(int status) {
  return Response::text(fmt::format("{} {}\n", status, reason_phrase(status)), status);
}

}  // namespace forksafe::serve
