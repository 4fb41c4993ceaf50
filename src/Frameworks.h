// STUB (Part S of issue #11): the framework table's interface, as agreed in
// notes/issue11-split.md. Part F replaces this file with the real table; until then no framework
// knows only the header names of two frameworks (enough for the vendored-header tests) and no
// multi-process call.
#pragma once

#include <string>
#include <vector>

namespace forksafe {

struct FrameworkTable {};

inline const FrameworkTable& builtinFrameworks() {
  static const FrameworkTable kTable;  // immutable
  return kTable;
}

// Regexes (llvm::Regex syntax) matching file paths of every framework's own headers.
inline std::vector<std::string> frameworkHeaderPatterns(const FrameworkTable&) {
  return {"(^|/)crow(_all)?\\.h$", "(^|/)crow/", "(^|/)httplib\\.h$"};
}

// Qualified names of the calls that start a framework's multi-process (forking) mode.
inline std::vector<std::string> multiProcessCalls(const FrameworkTable&) { return {}; }

}  // namespace forksafe
