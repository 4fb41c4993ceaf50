// Reads .forksafe.yaml with LLVM's YAML parser.
#include "config/Config.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Regex.h>
#include <llvm/Support/SourceMgr.h>
#include <llvm/Support/YAMLParser.h>

#include <optional>

namespace forksafe {
namespace {

llvm::Error configError(llvm::StringRef path, const llvm::SourceMgr& sm, llvm::SMLoc loc,
                        const llvm::Twine& what) {
  std::string where = path.str();
  if (loc.isValid()) {
    auto [line, column] = sm.getLineAndColumn(loc);
    where += ":" + std::to_string(line) + ":" + std::to_string(column);
  }
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "invalid configuration " + where + ": " + what.str());
}

// Where a quoted scalar that never ends starts (YAML's parser reports the end of the file).
// Quotes only open a scalar where a value can start: after indentation, "- ", ": ", '[', '{' or
// ','; '' and \" are escapes inside them.
std::optional<std::pair<unsigned, unsigned>> unclosedQuote(llvm::StringRef text) {
  char open = 0;
  unsigned line = 1, column = 1, startLine = 0, startColumn = 0;
  bool valueStart = true;
  for (size_t i = 0; i < text.size(); ++i, ++column) {
    char c = text[i];
    char next = i + 1 < text.size() ? text[i + 1] : '\n';
    if (c == '\n') {
      ++line;
      column = 0;
      if (!open) valueStart = true;
      continue;
    }
    if (open == '\'') {
      if (c == '\'' && next == '\'') {
        ++i, ++column;
      } else if (c == '\'') {
        open = 0;
        valueStart = false;
      }
      continue;
    }
    if (open == '"') {
      if (c == '\\') {
        ++i, ++column;
      } else if (c == '"') {
        open = 0;
        valueStart = false;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') continue;
    if (c == '#' && (column == 1 || text[i - 1] == ' ' || text[i - 1] == '\t')) {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
      continue;
    }
    if ((c == '\'' || c == '"') && valueStart) {
      open = c;
      startLine = line;
      startColumn = column;
      continue;
    }
    if (c == ':' || c == '-' || c == '?')
      valueStart = next == ' ' || next == '\t' || next == '\n' || next == '\r';
    else
      valueStart = c == '[' || c == '{' || c == ',';
  }
  if (!open) return std::nullopt;
  return std::make_pair(startLine, startColumn);
}

}  // namespace

llvm::Expected<FileConfig> parseConfig(llvm::StringRef yamlText, llvm::StringRef path) {
  FileConfig config;
  config.path = path.str();
  llvm::SourceMgr sm;
  std::string firstError;
  llvm::SMLoc errorLoc;
  std::pair<std::string*, llvm::SMLoc*> sink{&firstError, &errorLoc};
  sm.setDiagHandler(
      [](const llvm::SMDiagnostic& d, void* ctx) {
        auto* out = static_cast<std::pair<std::string*, llvm::SMLoc*>*>(ctx);
        if (out->first->empty()) {
          *out->first = d.getMessage().str();
          *out->second = d.getLoc();
        }
      },
      &sink);
  // A syntax error; for a quote that is never closed, at the quote rather than the end of file.
  auto yamlError = [&]() -> llvm::Error {
    if (llvm::StringRef(firstError).contains("quote"))
      if (auto quote = unclosedQuote(yamlText))
        return llvm::createStringError(
            llvm::inconvertibleErrorCode(),
            "invalid configuration " + path.str() + ":" + std::to_string(quote->first) + ":" +
                std::to_string(quote->second) + ": this quoted string is never closed");
    return configError(path, sm, errorLoc, firstError);
  };
  llvm::yaml::Stream stream(yamlText, sm);
  auto doc = stream.begin();
  if (doc == stream.end() || !doc->getRoot()) return config;
  llvm::yaml::Node* root = doc->getRoot();
  if (!firstError.empty()) return yamlError();
  if (llvm::isa<llvm::yaml::NullNode>(root)) return config;
  auto* map = llvm::dyn_cast<llvm::yaml::MappingNode>(root);
  if (!map) return configError(path, sm, root->getSourceRange().Start, "expected a mapping");

  auto scalar = [&](llvm::yaml::Node* node, std::string& out) -> llvm::Error {
    auto* s = llvm::dyn_cast_or_null<llvm::yaml::ScalarNode>(node);
    if (!s && !firstError.empty()) return yamlError();  // the syntax error is the cause
    if (!s) {
      llvm::SMLoc loc = node ? node->getSourceRange().Start : llvm::SMLoc();
      return configError(path, sm, loc, "expected a string");
    }
    llvm::SmallString<64> storage;
    out = s->getValue(storage).str();
    return llvm::Error::success();
  };
  for (llvm::yaml::KeyValueNode& kv : *map) {
    std::string key;
    if (auto err = scalar(kv.getKey(), key)) return err;
    llvm::yaml::Node* value = kv.getValue();
    if (key == "Checks" || key == "WarningsAsErrors") {
      std::string setting;
      if (auto err = scalar(value, setting)) return err;
      (key == "Checks" ? config.checks : config.warningsAsErrors) = setting;
      config.positions[key] = sm.getLineAndColumn(value->getSourceRange().Start);
    } else if (key == "HandlerPatterns") {
      std::vector<llvm::yaml::Node*> items;
      if (auto* seq = llvm::dyn_cast_or_null<llvm::yaml::SequenceNode>(value)) {
        for (llvm::yaml::Node& item : *seq) items.push_back(&item);
      } else {
        items.push_back(value);
      }
      for (llvm::yaml::Node* item : items) {
        std::string pattern;
        if (auto err = scalar(item, pattern)) return err;
        std::string why;
        if (!llvm::Regex(pattern).isValid(why))
          return configError(path, sm, item->getSourceRange().Start,
                             "invalid HandlerPatterns regex '" + pattern + "': " + why);
        config.handlerPatterns.push_back(pattern);
      }
    } else if (key == "HeaderFilterRegex" || key == "ExcludeHeaderFilterRegex") {
      std::string pattern;
      if (auto err = scalar(value, pattern)) return err;
      std::string why;
      if (!pattern.empty() && !llvm::Regex(pattern).isValid(why))
        return configError(path, sm, value->getSourceRange().Start,
                           "invalid " + key + " '" + pattern + "': " + why);
      (key == "HeaderFilterRegex" ? config.headerFilterRegex : config.excludeHeaderFilterRegex) =
          pattern;
    } else if (key == "SystemHeaders") {
      std::string setting;
      if (auto err = scalar(value, setting)) return err;
      std::string lower = llvm::StringRef(setting).lower();
      if (lower == "true" || lower == "yes" || lower == "on" || lower == "1")
        config.systemHeaders = true;
      else if (lower == "false" || lower == "no" || lower == "off" || lower == "0")
        config.systemHeaders = false;
      else
        return configError(path, sm, value->getSourceRange().Start,
                           "SystemHeaders must be true or false, not '" + setting + "'");
    } else if (key == "Deployment") {
      std::string setting;
      if (auto err = scalar(value, setting)) return err;
      if (setting != "auto" && setting != "prefork" && setting != "replicas")
        return configError(path, sm, value->getSourceRange().Start,
                           "Deployment must be auto, prefork or replicas, not '" + setting + "'");
      config.deployment = setting;
    } else if (key == "Frameworks") {
      auto table = parseFrameworks(value, sm, path);
      if (!table) return table.takeError();
      config.frameworks.append(*table);
    } else {
      return configError(path, sm, kv.getKey()->getSourceRange().Start,
                         "unknown key '" + key +
                             "' (expected Checks, Deployment, ExcludeHeaderFilterRegex, "
                             "Frameworks, HandlerPatterns, HeaderFilterRegex, SystemHeaders or "
                             "WarningsAsErrors)");
    }
    if (!firstError.empty()) return yamlError();
  }
  if (!firstError.empty()) return yamlError();
  return config;
}

llvm::Expected<const FileConfig*> ConfigFinder::forSource(const std::string& sourcePath) {
  llvm::SmallString<256> abs(sourcePath);
  llvm::sys::fs::make_absolute(abs);
  llvm::sys::path::remove_dots(abs, true);
  return forDirectory(std::string(llvm::sys::path::parent_path(abs)));
}

llvm::Expected<const FileConfig*> ConfigFinder::forDirectory(const std::string& dir) {
  auto cached = byDirectory_.find(dir);
  if (cached != byDirectory_.end()) return cached->second.get();
  std::shared_ptr<FileConfig> found;
  llvm::SmallString<256> candidate(dir);
  llvm::sys::path::append(candidate, kConfigFileName);
  if (llvm::sys::fs::exists(candidate)) {
    auto buffer = llvm::MemoryBuffer::getFile(candidate, /*IsText=*/true);
    if (!buffer)
      return llvm::createStringError(buffer.getError(), "cannot read " + candidate.str().str() +
                                                            ": " + buffer.getError().message());
    auto parsed = parseConfig((*buffer)->getBuffer(), candidate);
    if (!parsed) return parsed.takeError();
    found = std::make_shared<FileConfig>(std::move(*parsed));
  } else {
    llvm::StringRef parent = llvm::sys::path::parent_path(dir);
    if (!parent.empty() && parent != dir) {
      auto up = forDirectory(parent.str());
      if (!up) return up.takeError();
      auto it = byDirectory_.find(parent.str());
      if (it != byDirectory_.end()) found = it->second;
    }
  }
  byDirectory_[dir] = found;
  return found.get();
}

}  // namespace forksafe
