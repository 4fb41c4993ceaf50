// Loading compile_commands.json through clang's JSON compilation database.
#include "driver/CompileCommands.h"

#include <clang/Tooling/JSONCompilationDatabase.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/MemoryBuffer.h>

#include <optional>

namespace forksafe {
namespace {

// compile_commands.json must be JSON. Clang's loader reads it with a YAML parser, which accepts
// what JSON does not (raw control characters in strings, bare words) and prints its own
// diagnostics on stderr; checking the syntax first gives one error line that says where. Nesting
// is bounded before the (recursive) JSON parser sees it: a database is two levels deep.
std::optional<std::string> invalidJson(llvm::StringRef text) {
  constexpr int kMaxDepth = 64;
  int depth = 0;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth)
        return "nested more than " + std::to_string(kMaxDepth) + " levels deep at byte " +
               std::to_string(i);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  auto parsed = llvm::json::parse(text);
  if (parsed) return std::nullopt;
  return "invalid JSON: " + llvm::toString(parsed.takeError());
}

}  // namespace

std::unique_ptr<clang::tooling::CompilationDatabase> loadCompileCommands(const std::string& file,
                                                                         std::string& why) {
  if (llvm::sys::fs::is_directory(file)) {
    why = "it is a directory";
    return nullptr;
  }
  auto text = llvm::MemoryBuffer::getFile(file, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!text) {
    why = text.getError().message();
    return nullptr;
  }
  if (auto bad = invalidJson((*text)->getBuffer())) {
    why = *bad;
    return nullptr;
  }
  auto db = clang::tooling::JSONCompilationDatabase::loadFromBuffer(
      (*text)->getBuffer(), why, clang::tooling::JSONCommandLineSyntax::AutoDetect);
  if (!db) return nullptr;
  return clang::tooling::inferMissingCompileCommands(std::move(db));
}

}  // namespace forksafe
