// Strict byte-level framing checks in front of http_parser (see frame_guard.hpp).
#include "frame_guard.hpp"

namespace forksafe::serve {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Bytes allowed in a chunk extension outside a quoted string: tchar, '=', ';' and BWS.
bool ext_char(char c) {
  if (c == ' ' || c == '\t') return true;
  auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f && c != '"' && c != '\\';
}

std::size_t refuse(std::string* error, const char* why) {
  *error = why;
  return FrameGuard::kError;
}

}  // namespace

std::size_t FrameGuard::header_section(const char* data, std::size_t len, std::string* error) {
  for (std::size_t i = 0; i < len; ++i) {
    char c = data[i];
    switch (head_) {
      case Head::kAfterMethod:
        if (c == ' ') return refuse(error, "more than one space after the method");
        head_ = Head::kInLine;
        [[fallthrough]];
      case Head::kInLine:
        if (c == '\r')
          head_ = Head::kCr;
        else if (c == '\n')
          head_ = Head::kLineStart;
        break;
      case Head::kCr:
        if (c != '\n') return refuse(error, "bare CR in the header section");
        head_ = Head::kLineStart;
        break;
      case Head::kLineStart:
        if (c == ' ' || c == '\t') return refuse(error, "obsolete line folding");
        head_ = c == '\r' ? Head::kEndCr : c == '\n' ? Head::kDone : Head::kInLine;
        if (head_ == Head::kDone) return i + 1;
        break;
      case Head::kEndCr:
        if (c != '\n') return refuse(error, "bare CR in the header section");
        head_ = Head::kDone;
        return i + 1;
      case Head::kDone:
        return i;
    }
  }
  return len;
}

std::size_t FrameGuard::chunked_body(const char* data, std::size_t len, std::string* error) {
  std::size_t i = 0;
  while (i < len && chunk_ != Chunk::kDone) {
    char c = data[i];
    switch (chunk_) {
      case Chunk::kSize:
        if (int d = hex_digit(c); d >= 0) {
          if (++digits_ > 16) return refuse(error, "chunk size too large");
          size_ = size_ * 16 + static_cast<std::uint64_t>(d);
        } else if (digits_ == 0) {
          return refuse(error, "invalid chunk size");
        } else if (c == ';') {
          chunk_ = Chunk::kExt;
        } else if (c == ' ' || c == '\t') {
          chunk_ = Chunk::kSizeWs;  // BWS is only allowed before a ';'
        } else if (c == '\r') {
          chunk_ = Chunk::kSizeLf;
        } else {
          return refuse(error, "invalid chunk size");
        }
        break;
      case Chunk::kSizeWs:
        if (c == ';')
          chunk_ = Chunk::kExt;
        else if (c != ' ' && c != '\t')
          return refuse(error, "whitespace after a chunk size");
        break;
      case Chunk::kExt:
        if (c == '\r')
          chunk_ = Chunk::kSizeLf;
        else if (c == '"')
          chunk_ = Chunk::kQuoted;
        else if (!ext_char(c))
          return refuse(error, "invalid chunk extension");
        break;
      case Chunk::kQuoted:
        if (c == '"')
          chunk_ = Chunk::kExt;
        else if (c == '\\')
          chunk_ = Chunk::kQuotedEscape;
        else if (c == '\r' || c == '\n' || c == '\0' || c == 0x7f)
          return refuse(error, "invalid chunk extension");
        break;
      case Chunk::kQuotedEscape:
        if (c == '\r' || c == '\n' || c == '\0') return refuse(error, "invalid chunk extension");
        chunk_ = Chunk::kQuoted;
        break;
      case Chunk::kSizeLf:
        if (c != '\n') return refuse(error, "chunk size line not ended by CRLF");
        chunk_ = size_ == 0 ? Chunk::kTrailerStart : Chunk::kData;
        break;
      case Chunk::kData: {
        std::size_t take = len - i < size_ ? len - i : static_cast<std::size_t>(size_);
        size_ -= take;
        i += take;
        if (size_ == 0) chunk_ = Chunk::kDataCr;
        continue;
      }
      case Chunk::kDataCr:
        if (c != '\r') return refuse(error, "chunk data longer than its size");
        chunk_ = Chunk::kDataLf;
        break;
      case Chunk::kDataLf:
        if (c != '\n') return refuse(error, "chunk data not ended by CRLF");
        chunk_ = Chunk::kSize;
        digits_ = 0;
        break;
      case Chunk::kTrailerStart:
        if (c == '\r')
          chunk_ = Chunk::kEndLf;
        else if (c == ' ' || c == '\t')
          return refuse(error, "obsolete line folding in a trailer");
        else if (c == '\n')
          return refuse(error, "bare LF in the trailer section");
        else
          chunk_ = Chunk::kTrailerLine;
        break;
      case Chunk::kTrailerLine:
        if (c == '\r')
          chunk_ = Chunk::kTrailerLf;
        else if (c == '\n')
          return refuse(error, "bare LF in the trailer section");
        break;
      case Chunk::kTrailerLf:
        if (c != '\n') return refuse(error, "bare CR in the trailer section");
        chunk_ = Chunk::kTrailerStart;
        break;
      case Chunk::kEndLf:
        if (c != '\n') return refuse(error, "bare CR at the end of a chunked body");
        chunk_ = Chunk::kDone;
        break;
      case Chunk::kDone:
        break;
    }
    ++i;
  }
  return i;
}

}  // namespace forksafe::serve
