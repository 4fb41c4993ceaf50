// The framework table: how each web framework registers handlers and starts serving, as data.
//
// The built-in table is src/config/frameworks.yaml, embedded into the binary at build time; a
// .forksafe.yaml adds frameworks with the same schema under `Frameworks:` (docs/frameworks.md).
#pragma once

#include <llvm/ADT/StringSet.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/SourceMgr.h>
#include <llvm/Support/YAMLParser.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace forksafe {

// A function (or method, or constructor) whose argument is a handler: `svr.Get("/x", handler)`.
struct HandlerFunction {
  std::string function;          // qualified name without template arguments
  int handler = -1;              // the handler argument; negative counts from the end
  std::optional<int> route;      // the route string argument
  std::optional<int> methodArg;  // the argument naming the HTTP method
  std::string method;            // the HTTP method when the function implies it ("GET")
};

// A macro that registers a handler: the callables passed to the call it starts
// (`CROW_ROUTE(app, "/x")(handler)`), or, with `defines`, the function it defines
// (`ENDPOINT("GET", "/x", name, ...)`). Indices are macro arguments.
struct HandlerMacro {
  std::string macro;
  std::optional<int> route;
  std::optional<int> methodArg;
  std::string method;
  bool defines = false;
};

// A base class whose overrides of `methods` are handlers (POCO's HTTPRequestHandler).
struct HandlerBase {
  std::string className;  // qualified, without template arguments
  std::vector<std::string> methods;
};

struct Framework {
  std::string name;
  std::vector<std::string> headers;  // regexes over absolute header paths
  std::vector<HandlerFunction> handlers;
  std::vector<HandlerMacro> macros;
  std::vector<HandlerBase> bases;
  std::vector<std::string> serve;          // calls that start serving; the caller goes on
  std::vector<std::string> serveBlocking;  // calls that serve until shutdown
  std::vector<std::string> multiProcess;   // calls that make the server fork workers
  bool alwaysMultiProcess = false;         // the framework always runs pre-forked (forksafe)
};

struct FrameworkTable {
  std::vector<Framework> frameworks;

  // Appends `more`, in order (user frameworks after the built-in ones).
  void append(const FrameworkTable& more);
  // A canonical text of the table, for cache keys.
  std::string fingerprint() const;
};

// Parses the `Frameworks:` sequence of a YAML document. `path` and `sm` name errors
// ("invalid configuration <path>:<line>: ...").
llvm::Expected<FrameworkTable> parseFrameworks(llvm::yaml::Node* node, llvm::SourceMgr& sm,
                                               llvm::StringRef path);

// The built-in table (src/config/frameworks.yaml), parsed once; thread-safe.
const FrameworkTable& builtinFrameworks();

// Regexes (llvm::Regex syntax) matching file paths of every framework's own headers.
std::vector<std::string> frameworkHeaderPatterns(const FrameworkTable& table);

// The qualified names of the calls that put a framework into a multi-process mode.
std::vector<std::string> multiProcessCalls(const FrameworkTable& table);

// Names of the frameworks that always run pre-forked (forksafe's own App).
std::vector<std::string> alwaysMultiProcessFrameworks(const FrameworkTable& table);

// Lookups over a table for the collector: by qualified name, with a cheap first test on the
// unqualified name so that most calls of a TU cost one hash lookup.
class FrameworkIndex {
 public:
  struct Registration {
    const Framework* framework;
    const HandlerFunction* entry;
  };
  struct Macro {
    const Framework* framework;
    const HandlerMacro* entry;
  };
  struct Base {
    const Framework* framework;
    const HandlerBase* entry;
  };

  explicit FrameworkIndex(const FrameworkTable& table);

  // Whether some registration or serving function has this unqualified name ("Get", "listen").
  bool mayMatch(llvm::StringRef unqualified) const { return simpleNames_.count(unqualified) != 0; }
  const std::vector<Registration>* registrations(const std::string& qualified) const;
  // The framework whose call starts serving; `blocking`: it returns only at shutdown.
  const Framework* serving(const std::string& qualified, bool& blocking) const;
  const std::vector<Macro>* macros(llvm::StringRef name) const;
  bool hasMacros() const { return !macros_.empty(); }
  // The handler base entry for `qualifiedClass::method`, if any.
  std::optional<Base> base(const std::string& qualifiedClass, llvm::StringRef method) const;
  const std::vector<std::string>& headerPatterns() const { return headers_; }

 private:
  llvm::StringSet<> simpleNames_;
  std::map<std::string, std::vector<Registration>> registrations_;
  std::map<std::string, std::pair<const Framework*, bool>> serving_;
  std::map<std::string, std::vector<Macro>, std::less<>> macros_;
  std::map<std::string, std::vector<Base>> bases_;
  std::vector<std::string> headers_;
};

}  // namespace forksafe
