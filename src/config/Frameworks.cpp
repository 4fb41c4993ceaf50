// Parses the framework table (built-in src/config/frameworks.yaml and .forksafe.yaml's
// `Frameworks:`).
#include "config/Frameworks.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/Support/Regex.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <cstdlib>
#include <set>

namespace forksafe {
namespace {

// The text of src/config/frameworks.yaml, as a raw string literal generated at build time.
constexpr const char kBuiltinFrameworks[] =
#include "frameworks.yaml.inc"
    ;

class TableParser {
 public:
  TableParser(llvm::SourceMgr& sm, llvm::StringRef path) : sm_(sm), path_(path) {}

  llvm::Error error(llvm::yaml::Node* node, const llvm::Twine& what) {
    std::string where = path_.str();
    if (node && node->getSourceRange().Start.isValid()) {
      auto [line, column] = sm_.getLineAndColumn(node->getSourceRange().Start);
      where += ":" + std::to_string(line) + ":" + std::to_string(column);
    }
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "invalid configuration " + where + ": " + what.str());
  }

  llvm::Error scalar(llvm::yaml::Node* node, std::string& out) {
    auto* s = llvm::dyn_cast_or_null<llvm::yaml::ScalarNode>(node);
    if (!s) return error(node, "expected a string");
    llvm::SmallString<64> storage;
    out = s->getValue(storage).str();
    return llvm::Error::success();
  }

  llvm::Error integer(llvm::yaml::Node* node, int& out) {
    std::string text;
    if (auto err = scalar(node, text)) return err;
    if (llvm::StringRef(text).getAsInteger(10, out))
      return error(node, "expected an argument index, got '" + text + "'");
    return llvm::Error::success();
  }

  llvm::Error boolean(llvm::yaml::Node* node, bool& out) {
    std::string text;
    if (auto err = scalar(node, text)) return err;
    if (text == "true")
      out = true;
    else if (text == "false")
      out = false;
    else
      return error(node, "expected true or false, got '" + text + "'");
    return llvm::Error::success();
  }

  // A string or a sequence of strings.
  llvm::Error strings(llvm::yaml::Node* node, std::vector<std::string>& out) {
    if (auto* seq = llvm::dyn_cast_or_null<llvm::yaml::SequenceNode>(node)) {
      for (llvm::yaml::Node& item : *seq) {
        std::string s;
        if (auto err = scalar(&item, s)) return err;
        out.push_back(std::move(s));
      }
      return llvm::Error::success();
    }
    std::string s;
    if (auto err = scalar(node, s)) return err;
    out.push_back(std::move(s));
    return llvm::Error::success();
  }

  // Calls `field(key, value)` for every entry of a mapping; `keys` lists the accepted keys.
  template <typename F>
  llvm::Error mapping(llvm::yaml::Node* node, llvm::StringRef what,
                      const std::vector<llvm::StringRef>& keys, F field) {
    auto* map = llvm::dyn_cast_or_null<llvm::yaml::MappingNode>(node);
    if (!map) return error(node, "expected a mapping for " + what);
    std::set<std::string> seen;
    for (llvm::yaml::KeyValueNode& kv : *map) {
      std::string key;
      if (auto err = scalar(kv.getKey(), key)) return err;
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        std::string expected;
        for (llvm::StringRef k : keys) expected += (expected.empty() ? "" : ", ") + k.str();
        return error(kv.getKey(),
                     "unknown key '" + key + "' in " + what + " (expected " + expected + ")");
      }
      if (!seen.insert(key).second) return error(kv.getKey(), "duplicate key '" + key + "'");
      if (auto err = field(key, kv.getValue())) return err;
    }
    return llvm::Error::success();
  }

  template <typename F>
  llvm::Error sequence(llvm::yaml::Node* node, llvm::StringRef what, F item) {
    auto* seq = llvm::dyn_cast_or_null<llvm::yaml::SequenceNode>(node);
    if (!seq) return error(node, "expected a sequence of " + what);
    for (llvm::yaml::Node& n : *seq)
      if (auto err = item(&n)) return err;
    return llvm::Error::success();
  }

  llvm::Error regexes(llvm::yaml::Node* node, std::vector<std::string>& out) {
    std::vector<std::string> list;
    if (auto err = strings(node, list)) return err;
    for (const std::string& pattern : list) {
      std::string why;
      if (!llvm::Regex(pattern).isValid(why))
        return error(node, "invalid Headers regex '" + pattern + "': " + why);
      out.push_back(pattern);
    }
    return llvm::Error::success();
  }

  llvm::Error handler(llvm::yaml::Node* node, Framework& fw) {
    HandlerFunction h;
    bool hasHandler = false;
    auto err =
        mapping(node, "a Handlers entry", {"Function", "Handler", "Route", "Method", "MethodArg"},
                [&](const std::string& key, llvm::yaml::Node* v) -> llvm::Error {
                  int n = 0;
                  if (key == "Function") return scalar(v, h.function);
                  if (key == "Method") return scalar(v, h.method);
                  if (auto e = integer(v, n)) return e;
                  if (key == "Handler")
                    h.handler = n, hasHandler = true;
                  else if (key == "Route")
                    h.route = n;
                  else
                    h.methodArg = n;
                  return llvm::Error::success();
                });
    if (err) return err;
    if (h.function.empty()) return error(node, "a Handlers entry needs a Function");
    if (!hasHandler) return error(node, "a Handlers entry needs a Handler argument index");
    fw.handlers.push_back(std::move(h));
    return llvm::Error::success();
  }

  llvm::Error macro(llvm::yaml::Node* node, Framework& fw) {
    HandlerMacro m;
    auto err = mapping(node, "a Macros entry", {"Macro", "Route", "Method", "MethodArg", "Defines"},
                       [&](const std::string& key, llvm::yaml::Node* v) -> llvm::Error {
                         int n = 0;
                         if (key == "Macro") return scalar(v, m.macro);
                         if (key == "Method") return scalar(v, m.method);
                         if (key == "Defines") return boolean(v, m.defines);
                         if (auto e = integer(v, n)) return e;
                         if (n < 0) return error(v, "macro argument indices start at 0");
                         (key == "Route" ? m.route : m.methodArg) = n;
                         return llvm::Error::success();
                       });
    if (err) return err;
    if (m.macro.empty()) return error(node, "a Macros entry needs a Macro");
    fw.macros.push_back(std::move(m));
    return llvm::Error::success();
  }

  llvm::Error base(llvm::yaml::Node* node, Framework& fw) {
    HandlerBase b;
    auto err = mapping(node, "a Bases entry", {"Class", "Methods"},
                       [&](const std::string& key, llvm::yaml::Node* v) -> llvm::Error {
                         if (key == "Class") return scalar(v, b.className);
                         return strings(v, b.methods);
                       });
    if (err) return err;
    if (b.className.empty() || b.methods.empty())
      return error(node, "a Bases entry needs a Class and its Methods");
    fw.bases.push_back(std::move(b));
    return llvm::Error::success();
  }

  llvm::Error framework(llvm::yaml::Node* node, FrameworkTable& table) {
    Framework fw;
    auto err = mapping(
        node, "a framework",
        {"Name", "Headers", "Handlers", "Macros", "Bases", "Serve", "ServeBlocking",
         "MultiProcessCalls", "AlwaysMultiProcess"},
        [&](const std::string& key, llvm::yaml::Node* v) -> llvm::Error {
          if (key == "Name") return scalar(v, fw.name);
          if (key == "Headers") return regexes(v, fw.headers);
          if (key == "Serve") return strings(v, fw.serve);
          if (key == "ServeBlocking") return strings(v, fw.serveBlocking);
          if (key == "MultiProcessCalls") return strings(v, fw.multiProcess);
          if (key == "AlwaysMultiProcess") return boolean(v, fw.alwaysMultiProcess);
          if (key == "Handlers")
            return sequence(v, "Handlers", [&](llvm::yaml::Node* n) { return handler(n, fw); });
          if (key == "Macros")
            return sequence(v, "Macros", [&](llvm::yaml::Node* n) { return macro(n, fw); });
          return sequence(v, "Bases", [&](llvm::yaml::Node* n) { return base(n, fw); });
        });
    if (err) return err;
    if (fw.name.empty()) return error(node, "a framework needs a Name");
    table.frameworks.push_back(std::move(fw));
    return llvm::Error::success();
  }

 private:
  llvm::SourceMgr& sm_;
  llvm::StringRef path_;
};

}  // namespace

void FrameworkTable::append(const FrameworkTable& more) {
  frameworks.insert(frameworks.end(), more.frameworks.begin(), more.frameworks.end());
}

std::string FrameworkTable::fingerprint() const {
  std::string out;
  llvm::raw_string_ostream os(out);
  auto index = [&](const std::optional<int>& i) { os << (i ? std::to_string(*i) : "-") << ','; };
  for (const Framework& fw : frameworks) {
    os << "F" << fw.name << '\n';
    for (const auto& h : fw.headers) os << "H" << h << '\n';
    for (const auto& h : fw.handlers) {
      os << "R" << h.function << ',' << h.handler << ',';
      index(h.route);
      index(h.methodArg);
      os << h.method << '\n';
    }
    for (const auto& m : fw.macros) {
      os << "M" << m.macro << ',';
      index(m.route);
      index(m.methodArg);
      os << m.method << ',' << m.defines << '\n';
    }
    for (const auto& b : fw.bases) {
      os << "B" << b.className;
      for (const auto& m : b.methods) os << ',' << m;
      os << '\n';
    }
    for (const auto& s : fw.serve) os << "S" << s << '\n';
    for (const auto& s : fw.serveBlocking) os << "s" << s << '\n';
    for (const auto& s : fw.multiProcess) os << "P" << s << '\n';
    os << "A" << fw.alwaysMultiProcess << '\n';
  }
  return out;
}

llvm::Expected<FrameworkTable> parseFrameworks(llvm::yaml::Node* node, llvm::SourceMgr& sm,
                                               llvm::StringRef path) {
  FrameworkTable table;
  TableParser parser(sm, path);
  if (auto err = parser.sequence(node, "frameworks",
                                 [&](llvm::yaml::Node* n) { return parser.framework(n, table); }))
    return err;
  return table;
}

const FrameworkTable& builtinFrameworks() {
  static const FrameworkTable table = [] {
    llvm::SourceMgr sm;
    llvm::yaml::Stream stream(kBuiltinFrameworks, sm);
    FrameworkTable parsed;
    for (llvm::yaml::Document& doc : stream) {
      auto* map = llvm::dyn_cast_or_null<llvm::yaml::MappingNode>(doc.getRoot());
      if (!map) continue;
      for (llvm::yaml::KeyValueNode& kv : *map) {
        auto result = parseFrameworks(kv.getValue(), sm, "<built-in frameworks.yaml>");
        if (!result) {
          // A build-time data error: the tests parse the table, so this never ships.
          llvm::errs() << "forksafe-check: " << llvm::toString(result.takeError()) << "\n";
          std::abort();
        }
        parsed.append(*result);
      }
    }
    return parsed;
  }();
  return table;
}

namespace {
llvm::StringRef unqualified(llvm::StringRef qualified) {
  size_t at = qualified.rfind("::");
  return at == llvm::StringRef::npos ? qualified : qualified.substr(at + 2);
}
}  // namespace

FrameworkIndex::FrameworkIndex(const FrameworkTable& table) {
  for (const Framework& fw : table.frameworks) {
    for (const HandlerFunction& h : fw.handlers) {
      registrations_[h.function].push_back({&fw, &h});
      simpleNames_.insert(unqualified(h.function));
    }
    for (const std::string& s : fw.serve) {
      serving_.try_emplace(s, &fw, false);
      simpleNames_.insert(unqualified(s));
    }
    for (const std::string& s : fw.serveBlocking) {
      serving_.try_emplace(s, &fw, true);
      simpleNames_.insert(unqualified(s));
    }
    for (const HandlerMacro& m : fw.macros) macros_[m.macro].push_back({&fw, &m});
    for (const HandlerBase& b : fw.bases) bases_[b.className].push_back({&fw, &b});
    headers_.insert(headers_.end(), fw.headers.begin(), fw.headers.end());
  }
}

const std::vector<FrameworkIndex::Registration>* FrameworkIndex::registrations(
    const std::string& qualified) const {
  auto it = registrations_.find(qualified);
  return it == registrations_.end() ? nullptr : &it->second;
}

const Framework* FrameworkIndex::serving(const std::string& qualified, bool& blocking) const {
  auto it = serving_.find(qualified);
  if (it == serving_.end()) return nullptr;
  blocking = it->second.second;
  return it->second.first;
}

const std::vector<FrameworkIndex::Macro>* FrameworkIndex::macros(llvm::StringRef name) const {
  auto it = macros_.find(name);
  return it == macros_.end() ? nullptr : &it->second;
}

std::optional<FrameworkIndex::Base> FrameworkIndex::base(const std::string& qualifiedClass,
                                                         llvm::StringRef method) const {
  auto it = bases_.find(qualifiedClass);
  if (it == bases_.end()) return std::nullopt;
  for (const Base& b : it->second)
    for (const std::string& m : b.entry->methods)
      if (m == method) return b;
  return std::nullopt;
}

std::vector<std::string> frameworkHeaderPatterns(const FrameworkTable& table) {
  std::vector<std::string> out;
  for (const Framework& fw : table.frameworks)
    out.insert(out.end(), fw.headers.begin(), fw.headers.end());
  return out;
}

std::vector<std::string> multiProcessCalls(const FrameworkTable& table) {
  std::vector<std::string> out;
  for (const Framework& fw : table.frameworks)
    out.insert(out.end(), fw.multiProcess.begin(), fw.multiProcess.end());
  return out;
}

std::vector<std::string> alwaysMultiProcessFrameworks(const FrameworkTable& table) {
  std::vector<std::string> out;
  for (const Framework& fw : table.frameworks)
    if (fw.alwaysMultiProcess) out.push_back(fw.name);
  return out;
}

}  // namespace forksafe
