// The LSP base protocol: JSON-RPC 2.0 messages framed by Content-Length headers on byte streams.
#pragma once

#include <llvm/Support/JSON.h>
#include <llvm/Support/raw_ostream.h>

#include <mutex>
#include <string>

namespace forksafe::lsp {

// Reads framed messages from a descriptor (one reader thread) and writes them to a stream (any
// thread: sends are serialised so two messages never interleave).
class Transport {
 public:
  Transport(int input, llvm::raw_ostream& output) : input_(input), output_(output) {}

  enum class Read { Message, End, BadFrame };
  // The next message body. BadFrame: a header block without a usable Content-Length (`error`
  // says why); its body cannot be delimited, so reading goes on at the next header block.
  Read read(std::string& body, std::string& error);

  void send(const llvm::json::Value& message);

  // Whether input already read is waiting to be framed (read() would not block to start).
  bool buffered() const { return pos_ < buffer_.size(); }

  // Messages above this size are refused (their bytes are skipped), not buffered.
  static constexpr size_t kMaxMessage = 64u << 20;

 private:
  bool fill();  // reads more input into buffer_; false at end of input
  bool readLine(std::string& line);

  int input_;
  std::string buffer_;
  size_t pos_ = 0;
  std::mutex sendMutex_;
  llvm::raw_ostream& output_;
};

}  // namespace forksafe::lsp
