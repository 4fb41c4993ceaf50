// Findings as LSP diagnostics and their fixes as code actions.
#pragma once

#include <llvm/Support/JSON.h>

#include <functional>
#include <string>

#include "lsp/Protocol.h"
#include "report/Finding.h"

namespace forksafe::lsp {

// The text of a file as the analysis saw it (an open document's buffer, else the disk).
using TextOf = std::function<std::string(const std::string& path)>;

// Where a finding shows in `file`: its declaration when it is there, else its first write site
// there, else its first note there (a call on the path from the handler).
Location anchorIn(const Finding& f, const std::string& file);

// The diagnostic of a finding in `file`, whose analysed text is `text`.
llvm::json::Object toDiagnostic(const Finding& f, const std::string& file, llvm::StringRef text,
                                const TextOf& textOf, Encoding encoding);

// Whether the finding's diagnostic range in `file` touches [start, end].
bool overlaps(const Finding& f, const std::string& file, llvm::StringRef text, Position start,
              Position end, Encoding encoding);

// One quickfix CodeAction per fix the analysis offers (Finding::fixes, best first; the NOLINT
// with a reason to fill in is always among them, src/report/Fixes.h).
llvm::json::Array codeActions(const Finding& f, const llvm::json::Object& diagnostic,
                              const TextOf& textOf, Encoding encoding);

}  // namespace forksafe::lsp
