// LSP vocabulary shared by the server's parts: error codes, file URIs and text positions.
#pragma once

#include <llvm/ADT/StringRef.h>
#include <llvm/Support/JSON.h>

#include <optional>
#include <string>

namespace forksafe::lsp {

// JSON-RPC and LSP error codes.
enum class ErrorCode : int {
  ParseError = -32700,
  InvalidRequest = -32600,
  MethodNotFound = -32601,
  InvalidParams = -32602,
  InternalError = -32603,
  ServerNotInitialized = -32002,
  RequestCancelled = -32800,
};

// "file:///a%20b/c.cpp" -> "/a b/c.cpp"; nullopt for another scheme or a malformed URI.
std::optional<std::string> uriToPath(llvm::StringRef uri);
std::string pathToUri(llvm::StringRef path);

// How Position.character counts: UTF-16 code units (the LSP default) or bytes ("utf-8", when the
// client offers it in general.positionEncodings).
enum class Encoding { Utf16, Utf8 };

struct Position {
  unsigned line = 0;       // 0-based
  unsigned character = 0;  // 0-based, in `Encoding` units
};

// The byte offset of a position in `text`; positions past the end of a line or of the text are
// clamped to it (as the specification asks).
size_t offsetAt(llvm::StringRef text, Position p, Encoding e);
Position positionAt(llvm::StringRef text, size_t offset, Encoding e);
// A clang location (1-based line, 1-based byte column) as a position in `text`.
Position positionOfColumn(llvm::StringRef text, unsigned line, unsigned column, Encoding e);
// The end of the identifier starting at a clang location (the start itself when none does).
Position identifierEnd(llvm::StringRef text, unsigned line, unsigned column, Encoding e);

llvm::json::Value toJson(Position p);
llvm::json::Value rangeJson(Position start, Position end);
bool fromJson(const llvm::json::Value* value, Position& p);

}  // namespace forksafe::lsp
