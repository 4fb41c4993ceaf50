// `forksafe-check --lsp`: a Language Server Protocol 3.17 server on stdin/stdout.
#pragma once

#include <llvm/Support/raw_ostream.h>

#include "lsp/Workspace.h"

namespace forksafe::lsp {

struct ServerOptions {
  WorkspaceOptions workspace;
  // How long after the last didChange the analysis starts: a burst of edits is analysed once.
  unsigned debounceMs = 50;
  std::string version;  // serverInfo.version
};

// Serves until `exit` or the end of input. Returns 0 after shutdown+exit, 1 otherwise (an exit
// without shutdown, or the client went away). `log` receives one line per problem.
int runServer(const ServerOptions& options, int input, llvm::raw_ostream& output,
              llvm::raw_ostream& log);

}  // namespace forksafe::lsp
