// Strict byte-level framing checks in front of http_parser.
//
// Debian's http_parser is built non-strict: it unfolds obs-fold, tolerates a bare CR, skips extra
// spaces in the request line, lets LF and garbage into chunk extensions and does not insist on
// the CRLF after chunk data. Each leniency is a place where a proxy in front of us could frame a
// message differently, so FrameGuard looks at the same bytes first and refuses them. It only ever
// refuses: http_parser still does all the parsing, so the two cannot disagree about a frame that
// passes.
#ifndef FORKSAFE_SERVE_FRAME_GUARD_HPP
#define FORKSAFE_SERVE_FRAME_GUARD_HPP

#include <cstddef>
#include <cstdint>
#include <string>

namespace forksafe::serve {

class FrameGuard {
 public:
  static constexpr std::size_t kError = static_cast<std::size_t>(-1);

  /// Checks the bytes after the method token up to the end of the header section. Returns how
  /// many of `data` belong to the header section (all of them until it ends), or kError with
  /// `*error` set.
  std::size_t header_section(const char* data, std::size_t len, std::string* error);
  bool header_done() const { return head_ == Head::kDone; }

  /// Checks a chunked body: chunk-size [ext] CRLF data CRLF ... 0 [ext] CRLF trailers CRLF.
  /// Returns how many of `data` belong to this message, or kError with `*error` set.
  std::size_t chunked_body(const char* data, std::size_t len, std::string* error);

  void reset() { *this = FrameGuard(); }

 private:
  enum class Head { kAfterMethod, kInLine, kCr, kLineStart, kEndCr, kDone };
  enum class Chunk {
    kSize,
    kSizeWs,
    kExt,
    kQuoted,
    kQuotedEscape,
    kSizeLf,
    kData,
    kDataCr,
    kDataLf,
    kTrailerStart,
    kTrailerLine,
    kTrailerLf,
    kEndLf,
    kDone
  };
  Head head_ = Head::kAfterMethod;
  Chunk chunk_ = Chunk::kSize;
  int digits_ = 0;
  std::uint64_t size_ = 0;
};

}  // namespace forksafe::serve

#endif  // FORKSAFE_SERVE_FRAME_GUARD_HPP
