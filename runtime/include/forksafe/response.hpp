// The response a handler returns: status, headers, body; the server adds framing headers.
#ifndef FORKSAFE_RESPONSE_HPP
#define FORKSAFE_RESPONSE_HPP

#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

#include "forksafe/headers.hpp"

namespace forksafe {

/// Escapes `s` for use inside a JSON string literal (without the surrounding quotes).
inline std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

class Response {
 public:
  int status = 200;
  /// Content-Length, Date, Connection and Server are written by the server and ignored here.
  Headers headers;
  std::string body;

  Response() = default;
  Response(int code, std::string content, std::string content_type = "text/plain; charset=utf-8")
      : status(code), body(std::move(content)) {
    headers.add("Content-Type", std::move(content_type));
  }

  static Response text(std::string content, int code = 200) {
    return Response(code, std::move(content));
  }
  /// `json_text` must already be JSON; see json_escape for building strings safely.
  static Response json(std::string json_text, int code = 200) {
    return Response(code, std::move(json_text), "application/json");
  }
  /// A body-less response such as 204 or a redirect.
  static Response empty(int code) {
    Response r;
    r.status = code;
    return r;
  }
  Response& header(std::string name, std::string value) {
    headers.add(std::move(name), std::move(value));
    return *this;
  }
};

/// Reason phrase for a status code ("Not Found"); "Unknown" for codes without one.
inline std::string_view reason_phrase(int code) {
  switch (code) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

}  // namespace forksafe

#endif  // FORKSAFE_RESPONSE_HPP
