// forksafe-check: the command-line entry point; everything else lives in the library.
#include "CheckTool.h"

int main(int argc, const char** argv) {
  return forksafe::runCheckTool(argc, argv, llvm::outs(), llvm::errs());
}
