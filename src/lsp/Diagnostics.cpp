// Finding -> Diagnostic: the rule is the code, notes are relatedInformation, and the severity is
// the one WarningsAsErrors settled; Fix -> CodeAction with a WorkspaceEdit.
#include "lsp/Diagnostics.h"

#include <map>

#include "report/DocsUrl.h"

namespace forksafe::lsp {
namespace {

llvm::json::Value locationJson(const Location& loc, llvm::StringRef text, Encoding encoding) {
  Position start = positionOfColumn(text, loc.line, loc.column, encoding);
  Position end = identifierEnd(text, loc.line, loc.column, encoding);
  return llvm::json::Object{{"uri", pathToUri(loc.file)}, {"range", rangeJson(start, end)}};
}

}  // namespace

Location anchorIn(const Finding& f, const std::string& file) {
  if (f.loc.file == file) return f.loc;
  for (const Location& l : f.sites)
    if (l.file == file) return l;
  for (const Note& n : f.notes)
    if (n.loc.file == file) return n.loc;
  // A file that only passes the state on (a call on the path from the handler): that call.
  for (const Note& n : f.notes)
    for (const Location& call : n.calls)
      if (call.file == file) return call;
  return f.loc;
}

llvm::json::Object toDiagnostic(const Finding& f, const std::string& file, llvm::StringRef text,
                                const TextOf& textOf, Encoding encoding) {
  llvm::json::Array related;
  std::map<std::string, std::string> texts;
  Location anchor = anchorIn(f, file);
  if (!(anchor == f.loc) && f.loc.valid()) {
    std::string declared = textOf(f.loc.file);
    related.push_back(llvm::json::Object{{"location", locationJson(f.loc, declared, encoding)},
                                         {"message", "'" + f.symbol + "' is declared here"}});
  }
  for (const Note& n : f.notes) {
    if (!n.loc.valid()) continue;
    auto it = texts.find(n.loc.file);
    if (it == texts.end()) it = texts.emplace(n.loc.file, textOf(n.loc.file)).first;
    related.push_back(llvm::json::Object{{"location", locationJson(n.loc, it->second, encoding)},
                                         {"message", n.message}});
  }
  Position start = positionOfColumn(text, anchor.line, anchor.column, encoding);
  Position end = identifierEnd(text, anchor.line, anchor.column, encoding);
  llvm::json::Object d{
      {"range", rangeJson(start, end)},
      {"severity", f.severity == Severity::Error ? 1 : 2},
      {"code", f.rule},
      {"codeDescription", llvm::json::Object{{"href", ruleDocUrl(f.rule)}}},
      {"source", "forksafe"},
      {"message", f.message},
  };
  if (!related.empty()) d["relatedInformation"] = std::move(related);
  return d;
}

bool overlaps(const Finding& f, const std::string& file, llvm::StringRef text, Position start,
              Position end, Encoding encoding) {
  Location anchor = anchorIn(f, file);
  Position from = positionOfColumn(text, anchor.line, anchor.column, encoding);
  Position to = identifierEnd(text, anchor.line, anchor.column, encoding);
  auto before = [](Position a, Position b) {
    return a.line < b.line || (a.line == b.line && a.character < b.character);
  };
  return !before(to, start) && !before(end, from);
}

llvm::json::Array codeActions(const Finding& f, const llvm::json::Object& diagnostic,
                              const TextOf& textOf, Encoding encoding) {
  llvm::json::Array actions;
  bool first = true;
  for (const Fix& fix : f.fixes) {
    std::map<std::string, llvm::json::Array> edits;  // by URI
    std::map<std::string, std::string> texts;
    for (const Replacement& r : fix.replacements) {
      auto it = texts.find(r.file);
      if (it == texts.end()) it = texts.emplace(r.file, textOf(r.file)).first;
      Position start = positionAt(it->second, r.offset, encoding);
      Position end = positionAt(it->second, size_t(r.offset) + r.length, encoding);
      edits[pathToUri(r.file)].push_back(
          llvm::json::Object{{"range", rangeJson(start, end)}, {"newText", r.text}});
    }
    llvm::json::Object changes;
    for (auto& [uri, list] : edits) changes[uri] = std::move(list);
    actions.push_back(llvm::json::Object{
        {"title", fix.description},
        {"kind", "quickfix"},
        {"diagnostics", llvm::json::Array{llvm::json::Object(diagnostic)}},
        {"isPreferred", first},
        {"edit", llvm::json::Object{{"changes", std::move(changes)}}},
    });
    first = false;
  }
  return actions;
}

}  // namespace forksafe::lsp
