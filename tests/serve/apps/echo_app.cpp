// App for the HTTP conformance suite: answers every method and path with the request exactly as
// the handler saw it, one escaped field per line, and appends one line per handled request to the
// file named by FORKSAFE_ECHO_LOG (so a test can prove a smuggled request never reached it).
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <forksafe/app.hpp>
#include <string>
#include <string_view>

namespace {

// Bytes outside printable ASCII, and the backslash, as \r \n \t \\ or \xHH (the corpus notation).
std::string escape(std::string_view in) {
  std::string out;
  for (unsigned char c : in) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

void log_handled(const std::string& line) {
  const char* path = std::getenv("FORKSAFE_ECHO_LOG");
  if (!path) return;
  int fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  std::string l = line + "\n";
  ssize_t n = ::write(fd, l.data(), l.size());  // O_APPEND: one atomic line per request
  (void)n;
  ::close(fd);
}

forksafe::Response echo(const forksafe::Request& r) {
  std::string out;
  out += "method " + escape(r.method) + "\n";
  out += "target " + escape(r.target) + "\n";
  out += "path " + escape(r.path) + "\n";
  out += "query " + escape(r.query) + "\n";
  out += "version " + std::to_string(r.http_major) + "." + std::to_string(r.http_minor) + "\n";
  for (const auto& [name, value] : r.headers)
    out += "header " + escape(name) + ": " + escape(value) + "\n";
  out += "body " + escape(r.body) + "\n";
  for (const auto& [name, value] : r.trailers)
    out += "trailer " + escape(name) + ": " + escape(value) + "\n";
  log_handled(r.method + " " + escape(r.target));
  return forksafe::Response::text(out);
}

}  // namespace

FORKSAFE_APP(app) { app.any("*rest", echo); }
