// Content-Length framing; the JSON inside is llvm::json's business.
#include "lsp/Transport.h"

#include <llvm/ADT/StringExtras.h>
#include <unistd.h>

#include <cerrno>

namespace forksafe::lsp {

bool Transport::fill() {
  if (pos_ > 0) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  char chunk[65536];
  for (;;) {
    ssize_t n = ::read(input_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }
}

bool Transport::readLine(std::string& line) {
  for (;;) {
    size_t end = buffer_.find('\n', pos_);
    if (end != std::string::npos) {
      line.assign(buffer_, pos_, end - pos_);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      pos_ = end + 1;
      return true;
    }
    if (buffer_.size() - pos_ > 8192) {  // not a header: drop it rather than grow forever
      line.assign(buffer_, pos_, 8192);
      pos_ = buffer_.size();
      return true;
    }
    if (!fill()) return false;
  }
}

Transport::Read Transport::read(std::string& body, std::string& error) {
  std::string line;
  long long length = -1;
  bool any = false;
  for (;;) {
    if (!readLine(line)) return Read::End;
    if (line.empty()) {
      if (!any) continue;  // stray blank lines between messages
      break;
    }
    any = true;
    llvm::StringRef header(line);
    auto [name, value] = header.split(':');
    if (name.trim().equals_insensitive("Content-Length")) {
      unsigned long long n = 0;
      if (value.trim().getAsInteger(10, n)) {
        error = "malformed Content-Length header '" + line + "'";
        length = -2;
      } else if (length != -2) {
        length = static_cast<long long>(n);
      }
    }
  }
  if (length < 0) {
    if (length == -1) error = "message without a Content-Length header";
    return Read::BadFrame;
  }
  size_t size = static_cast<size_t>(length);
  if (size > kMaxMessage) {
    size_t skipped = 0;
    while (skipped < size) {
      size_t take = std::min(size - skipped, buffer_.size() - pos_);
      pos_ += take;
      skipped += take;
      if (skipped < size && !fill()) return Read::End;
    }
    error = "message of " + std::to_string(size) + " bytes is larger than the limit of " +
            std::to_string(kMaxMessage);
    return Read::BadFrame;
  }
  while (buffer_.size() - pos_ < size)
    if (!fill()) return Read::End;
  body.assign(buffer_, pos_, size);
  pos_ += size;
  return Read::Message;
}

void Transport::send(const llvm::json::Value& message) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << message;
  os.flush();
  std::lock_guard<std::mutex> lock(sendMutex_);
  output_ << "Content-Length: " << text.size() << "\r\n\r\n" << text;
  output_.flush();
}

}  // namespace forksafe::lsp
