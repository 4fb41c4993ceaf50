// forksafe-check as one call: the command line in, the report out, the exit status back; what
// tool/main.cpp runs and what the tests call in-process.
#pragma once

#include <llvm/Support/raw_ostream.h>

namespace forksafe {

// Exit status: 0 nothing at error level, 1 findings at error level, 2 usage error or a source
// that could not be checked (named on `err`; the other sources are still checked and reported).
int runCheckTool(int argc, const char* const* argv, llvm::raw_ostream& out, llvm::raw_ostream& err);

}  // namespace forksafe
