// Incremental text sync: ranged edits are applied to a copy, so a bad event changes nothing.
#include "lsp/DocumentStore.h"

namespace forksafe::lsp {

void DocumentStore::open(Document document) {
  std::string uri = document.uri;
  byUri_[uri] = std::move(document);
}

std::string DocumentStore::change(const std::string& uri, int64_t version,
                                  const llvm::json::Array& changes, Encoding encoding) {
  auto it = byUri_.find(uri);
  if (it == byUri_.end()) return "didChange for a document that is not open: " + uri;
  std::string text = it->second.text;
  for (const llvm::json::Value& change : changes) {
    const llvm::json::Object* event = change.getAsObject();
    auto newText = event ? event->getString("text") : std::nullopt;
    if (!newText) return "malformed content change (no text)";
    const llvm::json::Value* rangeValue = event->get("range");
    const llvm::json::Object* range = rangeValue ? rangeValue->getAsObject() : nullptr;
    if (rangeValue && !range && rangeValue->kind() != llvm::json::Value::Null)
      return "malformed content change range";
    if (!range) {
      text = newText->str();
      continue;
    }
    Position start, end;
    if (!fromJson(range->get("start"), start) || !fromJson(range->get("end"), end))
      return "malformed content change range";
    size_t from = offsetAt(text, start, encoding);
    size_t to = offsetAt(text, end, encoding);
    if (to < from) return "content change range ends before it starts";
    text.replace(from, to - from, newText->str());
  }
  it->second.text = std::move(text);
  it->second.version = version;
  return "";
}

void DocumentStore::close(const std::string& uri) { byUri_.erase(uri); }

const Document* DocumentStore::find(const std::string& uri) const {
  auto it = byUri_.find(uri);
  return it == byUri_.end() ? nullptr : &it->second;
}

const Document* DocumentStore::findPath(const std::string& path) const {
  for (const auto& [uri, document] : byUri_)
    if (document.path == path) return &document;
  return nullptr;
}

std::vector<const Document*> DocumentStore::all() const {
  std::vector<const Document*> out;
  for (const auto& [uri, document] : byUri_) out.push_back(&document);
  return out;
}

}  // namespace forksafe::lsp
