// File URIs (RFC 8089 with percent-encoding) and UTF-16/UTF-8 text positions.
#include "lsp/Protocol.h"

#include <llvm/ADT/StringExtras.h>

namespace forksafe::lsp {
namespace {

bool unreserved(char c) {
  return llvm::isAlnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/';
}

// Bytes of a UTF-8 sequence starting with `lead`, and how many UTF-16 units it takes.
unsigned sequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;  // a stray continuation byte or invalid lead: one unit, as clangd does
}

size_t lineStart(llvm::StringRef text, unsigned line) {
  size_t pos = 0;
  for (unsigned i = 0; i < line; ++i) {
    size_t nl = text.find('\n', pos);
    if (nl == llvm::StringRef::npos) return text.size();
    pos = nl + 1;
  }
  return pos;
}

size_t lineEnd(llvm::StringRef text, size_t start) {
  size_t nl = text.find('\n', start);
  return nl == llvm::StringRef::npos ? text.size() : nl;
}

// Units of `e` taken by the bytes [from, to) of one line.
unsigned unitsBetween(llvm::StringRef text, size_t from, size_t to, Encoding e) {
  if (e == Encoding::Utf8) return static_cast<unsigned>(to - from);
  unsigned units = 0;
  for (size_t i = from; i < to;) {
    unsigned len = sequenceLength(static_cast<unsigned char>(text[i]));
    units += len == 4 ? 2 : 1;
    i += len;
  }
  return units;
}

}  // namespace

std::optional<std::string> uriToPath(llvm::StringRef uri) {
  if (!uri.consume_front("file://")) return std::nullopt;
  if (!uri.empty() && uri.front() != '/') {  // an authority: only localhost is ours
    if (!uri.consume_front("localhost")) return std::nullopt;
  }
  std::string path;
  for (size_t i = 0; i < uri.size(); ++i) {
    if (uri[i] != '%') {
      path += uri[i];
      continue;
    }
    if (i + 2 >= uri.size() || !llvm::isHexDigit(uri[i + 1]) || !llvm::isHexDigit(uri[i + 2]))
      return std::nullopt;
    path += static_cast<char>(llvm::hexFromNibbles(uri[i + 1], uri[i + 2]));
    i += 2;
  }
  if (path.empty() || path.front() != '/' || path.find('\0') != std::string::npos)
    return std::nullopt;
  return path;
}

std::string pathToUri(llvm::StringRef path) {
  std::string uri = "file://";
  for (char c : path) {
    if (unreserved(c)) {
      uri += c;
    } else {
      uri += '%';
      uri += llvm::hexdigit((static_cast<unsigned char>(c) >> 4) & 0xF, false);
      uri += llvm::hexdigit(static_cast<unsigned char>(c) & 0xF, false);
    }
  }
  return uri;
}

size_t offsetAt(llvm::StringRef text, Position p, Encoding e) {
  size_t start = lineStart(text, p.line);
  size_t end = lineEnd(text, start);
  if (e == Encoding::Utf8) return std::min(start + p.character, end);
  unsigned units = 0;
  size_t i = start;
  while (i < end && units < p.character) {
    unsigned len = sequenceLength(static_cast<unsigned char>(text[i]));
    units += len == 4 ? 2 : 1;
    i = std::min(i + len, end);
  }
  return i;
}

Position positionAt(llvm::StringRef text, size_t offset, Encoding e) {
  offset = std::min(offset, text.size());
  Position p;
  size_t start = 0;
  for (size_t nl = text.find('\n'); nl != llvm::StringRef::npos && nl < offset;
       nl = text.find('\n', start)) {
    ++p.line;
    start = nl + 1;
  }
  p.character = unitsBetween(text, start, offset, e);
  return p;
}

Position positionOfColumn(llvm::StringRef text, unsigned line, unsigned column, Encoding e) {
  Position p;
  p.line = line ? line - 1 : 0;
  size_t start = lineStart(text, p.line);
  size_t end = lineEnd(text, start);
  size_t at = std::min(start + (column ? column - 1 : 0), end);
  p.character = unitsBetween(text, start, at, e);
  return p;
}

Position identifierEnd(llvm::StringRef text, unsigned line, unsigned column, Encoding e) {
  size_t start = lineStart(text, line ? line - 1 : 0);
  size_t end = lineEnd(text, start);
  size_t at = std::min(start + (column ? column - 1 : 0), end);
  size_t stop = at;
  while (stop < end && (llvm::isAlnum(text[stop]) || text[stop] == '_')) ++stop;
  Position p;
  p.line = line ? line - 1 : 0;
  p.character = unitsBetween(text, start, stop, e);
  return p;
}

llvm::json::Value toJson(Position p) {
  return llvm::json::Object{{"line", p.line}, {"character", p.character}};
}

llvm::json::Value rangeJson(Position start, Position end) {
  return llvm::json::Object{{"start", toJson(start)}, {"end", toJson(end)}};
}

bool fromJson(const llvm::json::Value* value, Position& p) {
  const llvm::json::Object* o = value ? value->getAsObject() : nullptr;
  if (!o) return false;
  auto line = o->getInteger("line");
  auto character = o->getInteger("character");
  if (!line || !character || *line < 0 || *character < 0 || *line > UINT32_MAX ||
      *character > UINT32_MAX)
    return false;
  p.line = static_cast<unsigned>(*line);
  p.character = static_cast<unsigned>(*character);
  return true;
}

}  // namespace forksafe::lsp
