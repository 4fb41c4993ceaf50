// forksafe-check's command line, parsed with CLI11 into the run's Options.
#pragma once

#include <llvm/Support/raw_ostream.h>

#include "driver/Options.h"

namespace forksafe {

// Parses argv into `options`. Returns -1 to go on, or the exit status to stop with (0 after
// --help, 2 after a usage error, which is reported on `err` in one line).
int parseOptions(int argc, const char* const* argv, Options& options, llvm::raw_ostream& out,
                 llvm::raw_ostream& err);

}  // namespace forksafe
