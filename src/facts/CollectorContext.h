// Per-TU state shared by the fact collectors: stable ids, locations, and the variable registry.
#pragma once

#include <clang/AST/ASTContext.h>
#include <clang/AST/Mangle.h>
#include <llvm/ADT/DenseMap.h>
#include <llvm/ADT/DenseSet.h>
#include <llvm/Support/Regex.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/Frameworks.h"
#include "facts/Facts.h"
#include "facts/FixSites.h"

namespace forksafe {

// "GET /users/:id" from a method and a route; "/users/:id" without a method; empty without a route.
std::string handlerDisplay(const std::string& method, const std::string& route);
// The text of a string-literal macro argument without its quotes, or empty.
std::string unquoteArgument(const std::string& arg);

class CollectorContext {
 public:
  CollectorContext(clang::ASTContext& ast, std::vector<llvm::Regex> handlerPatterns,
                   const FrameworkIndex& frameworks);
  ~CollectorContext();

  clang::ASTContext& ast() { return ast_; }
  TUFacts& facts() { return facts_; }

  // Location of the spelling site (the macro's expansion for code written in macros).
  Location location(clang::SourceLocation loc);
  bool isInSystemHeader(clang::SourceLocation loc);
  bool isInSystemHeader(const clang::Decl* decl);
  // Library code: a system header, or a header of a known framework (frameworkHeaderPatterns).
  bool isLibrary(clang::SourceLocation loc);
  void setTrackSystemVariables(bool track) { trackSystemVariables_ = track; }
  // The qualified name of a call that starts a framework's multi-process mode, or "".
  bool isMultiProcessCall(const std::string& qualifiedName) const {
    return multiProcessCalls_.count(qualifiedName) != 0;
  }
  bool knowsMultiProcessCalls() const { return !multiProcessCalls_.empty(); }

  // USR-based id, identical in every TU that sees the declaration.
  std::string functionId(const clang::FunctionDecl* fn);
  std::string functionName(const clang::FunctionDecl* fn);

  // Records the variable on first sight and returns its fact, or nullptr when the variable is not
  // static-storage state forksafe tracks (locals, parameters, references, system headers).
  const VariableFact* variable(const clang::VarDecl* var);

  // The fact of a variable already recorded, by id; nullptr when unknown.
  const VariableFact* variableById(const std::string& id) const;

  // Registers a function with a body; returns false if it was already known.
  bool addFunction(const clang::FunctionDecl* fn);
  // A function or lambda used as a value: calls through matching pointers may reach it.
  void markAddressTaken(const std::string& functionId) { addressTaken_.insert(functionId); }

  const FrameworkIndex& frameworks() const { return frameworks_; }

  // Gives a callable a role because of the annotated parameter or the framework registration it
  // was passed to; `display` is the framework's name for it ("GET /users/:id"). A handler role
  // wins over the others; otherwise the first role given stays.
  void markRoot(const std::string& functionId, RootKind role, const std::string& framework = "",
                const std::string& display = "");
  // Records that a framework's registration or serving call was seen in this TU.
  void sawFramework(const std::string& name) { frameworksSeen_.insert(name); }

  // "ns::Class::method" without template arguments or inline namespaces, as the framework table
  // spells names.
  static std::string plainQualifiedName(const clang::NamedDecl* decl);

  // The outermost macro expanded at `loc` and the text of its arguments, when `loc` comes from a
  // function-like macro written in a source file:
  // CROW_ROUTE(app, "/x") -> {CROW_ROUTE, [app, "/x"]}.
  struct MacroUse {
    std::string name;
    std::vector<std::string> args;
  };
  std::optional<MacroUse> macroUse(clang::SourceLocation loc);
  // Just the name of that macro (cheap), or empty.
  llvm::StringRef macroName(clang::SourceLocation loc);

  // Whether a location is in one of the framework table's headers.
  bool isInFrameworkHeader(const std::string& file);
  // Applies annotations, main() and --handlers patterns once all functions are known.
  void finishRoots();
  // Decides which variables std::atomic<T> fits (FixSite::atomicType) once all are known.
  void finishFixes();

 private:
  std::string usr(const clang::Decl* decl);
  std::string mangledName(const clang::VarDecl* var);

  clang::ASTContext& ast_;
  clang::SourceManager& sm_;
  std::vector<llvm::Regex> handlerPatterns_;
  std::unique_ptr<clang::MangleContext> mangler_;
  TUFacts facts_;
  llvm::DenseMap<const clang::VarDecl*, int> variables_;
  std::map<std::string, size_t> variableIds_;  // index into facts_.variables, -1: not state
  llvm::DenseMap<const clang::FunctionDecl*, std::string> functionIds_;
  llvm::DenseMap<clang::FileID, std::string> filePaths_;
  llvm::DenseMap<const clang::FunctionDecl*, size_t> functionIndex_;
  std::vector<const clang::FunctionDecl*> functionDecls_;
  struct PassedRoot {
    RootKind role;
    std::string framework;
    std::string display;
  };
  const FrameworkIndex& frameworks_;
  std::vector<llvm::Regex> frameworkHeaders_;
  std::map<std::string, bool> inFrameworkHeader_;
  std::map<std::string, PassedRoot> passedRoots_;
  std::set<std::string> frameworksSeen_;
  std::set<std::string> addressTaken_;
  std::set<std::string> multiProcessCalls_;
  llvm::DenseMap<clang::FileID, bool> libraryFiles_;
  std::set<std::string> systemHeaders_;
  bool trackSystemVariables_ = false;
  FixSiteCollector fixSites_;
  std::vector<std::pair<const clang::VarDecl*, size_t>> shownDecls_;  // declaration, fact index
};

}  // namespace forksafe
