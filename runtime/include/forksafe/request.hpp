// The request a handler sees: already parsed and de-framed, no socket, no chunking.
#ifndef FORKSAFE_REQUEST_HPP
#define FORKSAFE_REQUEST_HPP

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "forksafe/headers.hpp"

namespace forksafe {

namespace detail {
inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace detail

/// Percent-decodes `in`; with `plus_is_space` also maps '+' to ' ' (form encoding).
/// Returns nullopt on a malformed escape so callers can answer 400 instead of guessing.
inline std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int hi = detail::hex_value(in[i + 1]), lo = detail::hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

class Request {
 public:
  std::string method;  ///< "GET", "POST", ... (HEAD is routed to GET handlers)
  std::string target;  ///< request-target exactly as received, e.g. "/users/7?full=1"
  std::string path;    ///< percent-decoded path part of the target, e.g. "/users/7"
  std::string query;   ///< raw query string without '?', e.g. "full=1"
  Headers headers;     ///< case-insensitive
  std::string body;    ///< complete body (chunked bodies are already joined)
  Headers trailers;    ///< trailer fields after a chunked body (framing/routing fields refused)
  std::string peer;    ///< client address, "127.0.0.1:51234", "[::1]:51234" or "unix:0"
  int http_major = 1;
  int http_minor = 1;
  /// Route parameters filled by the router: "/users/:id" matched against "/users/7" gives id=7.
  std::vector<std::pair<std::string, std::string>> params;

  /// A route parameter, or empty when the route has none by that name.
  std::string_view param(std::string_view name) const {
    for (const auto& p : params)
      if (p.first == name) return p.second;
    return {};
  }
  std::string_view header(std::string_view name) const { return headers.get(name); }

  /// First value of query parameter `name`, decoded; nullopt when absent or malformed.
  std::optional<std::string> query_param(std::string_view name) const {
    std::string_view rest = query;
    while (!rest.empty()) {
      std::size_t amp = rest.find('&');
      std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
      std::size_t eq = pair.find('=');
      auto key = percent_decode(pair.substr(0, eq), true);
      if (!key || *key != name) continue;
      if (eq == std::string_view::npos) return std::string{};
      return percent_decode(pair.substr(eq + 1), true);
    }
    return std::nullopt;
  }

  /// Splits `target` into `path` and `query`; false when the path is not valid percent-encoding.
  bool set_target(std::string raw) {
    target = std::move(raw);
    std::string_view t = target;
    std::size_t hash = t.find('#');
    if (hash != std::string_view::npos) t = t.substr(0, hash);
    std::size_t q = t.find('?');
    query = q == std::string_view::npos ? std::string{} : std::string(t.substr(q + 1));
    auto decoded = percent_decode(t.substr(0, q), false);
    if (!decoded) return false;
    path = std::move(*decoded);
    return true;
  }

  /// Builds a request without any socket, for handler unit tests.
  static Request make(std::string method, std::string target, std::string body = {}) {
    Request r;
    r.method = std::move(method);
    r.set_target(std::move(target));
    r.body = std::move(body);
    r.peer = "test";
    return r;
  }
};

}  // namespace forksafe

#endif  // FORKSAFE_REQUEST_HPP
