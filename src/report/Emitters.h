// Output formats: clang-style text, JSON (schema version 1) and SARIF 2.1.0.
#pragma once

#include <llvm/Support/raw_ostream.h>

#include <string>
#include <vector>

#include "report/Finding.h"

namespace forksafe {

void emitText(const Report& report, llvm::raw_ostream& out, bool color);
void emitJson(const Report& report, llvm::raw_ostream& out);
// `baseDir` becomes %SRCROOT%: locations under it are written as relative URIs.
void emitSarif(const Report& report, const std::vector<RuleInfo>& rules, const std::string& baseDir,
               const std::string& toolVersion, llvm::raw_ostream& out);

}  // namespace forksafe
