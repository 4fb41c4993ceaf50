// The editor's open documents: their unsaved text, kept current from didOpen/didChange/didClose.
#pragma once

#include <llvm/Support/JSON.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lsp/Protocol.h"

namespace forksafe::lsp {

struct Document {
  std::string uri;
  std::string path;  // absolute
  int64_t version = 0;
  std::string text;
};

class DocumentStore {
 public:
  void open(Document document);
  // Applies TextDocumentContentChangeEvents (whole-text or ranged) in order. Returns "" or why
  // the change was refused (unknown document, malformed event); the document is then unchanged.
  std::string change(const std::string& uri, int64_t version, const llvm::json::Array& changes,
                     Encoding encoding);
  void close(const std::string& uri);

  const Document* find(const std::string& uri) const;
  const Document* findPath(const std::string& path) const;
  std::vector<const Document*> all() const;

 private:
  std::map<std::string, Document> byUri_;
};

}  // namespace forksafe::lsp
