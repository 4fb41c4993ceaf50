// Where the rule pages (docs/checks/<rule>.md) are published: SARIF's helpUri and the language
// server's codeDescription. One place: the CMake cache variable FORKSAFE_DOCS_URL (docs/ci.md).
#pragma once

#include <llvm/ADT/StringRef.h>

#include <string>

#ifndef FORKSAFE_DOCS_URL
#define FORKSAFE_DOCS_URL "https://github.com/forksafe/forksafe/blob/main/"
#endif

namespace forksafe {

// The base every documentation link starts with; ends in '/'.
inline constexpr const char* kDocsBaseUrl = FORKSAFE_DOCS_URL;

// "<base>docs/checks/forksafe-per-worker-state.md".
inline std::string ruleDocUrl(llvm::StringRef rule) {
  return std::string(kDocsBaseUrl) + "docs/checks/" + rule.str() + ".md";
}

}  // namespace forksafe
