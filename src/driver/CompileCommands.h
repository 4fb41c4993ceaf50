// Loading a compile_commands.json the way forksafe-check does (-p), shared with the fuzz target.
#pragma once

#include <clang/Tooling/CompilationDatabase.h>

#include <memory>
#include <string>

namespace forksafe {

// Reads `file` as a JSON compilation database (command syntax auto-detected) and lets files it
// does not list borrow the command of their nearest neighbour, as clangd and clang-tidy do.
// Returns null with `why` set (one line) when the file cannot be read, is not JSON or is not a
// compilation database.
std::unique_ptr<clang::tooling::CompilationDatabase> loadCompileCommands(const std::string& file,
                                                                         std::string& why);

}  // namespace forksafe
