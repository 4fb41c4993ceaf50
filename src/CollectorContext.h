// Per-TU state shared by the fact collectors: stable ids, locations, and the variable registry.
#pragma once

#include "Facts.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Mangle.h>
#include <llvm/ADT/DenseMap.h>
#include <llvm/ADT/DenseSet.h>
#include <llvm/Support/Regex.h>

#include <memory>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace forksafe {

class CollectorContext {
 public:
  CollectorContext(clang::ASTContext& ast, std::vector<llvm::Regex> handlerPatterns);
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

  // Gives a callable a role because of the annotated parameter it was passed to.
  void markRoot(const std::string& functionId, RootKind role) { passedRoots_[functionId] = role; }
  // Applies annotations, main() and --handlers patterns once all functions are known.
  void finishRoots();

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
  std::map<std::string, RootKind> passedRoots_;
  std::set<std::string> addressTaken_;
  std::vector<llvm::Regex> frameworkHeaders_;
  std::set<std::string> multiProcessCalls_;
  llvm::DenseMap<clang::FileID, bool> libraryFiles_;
  std::set<std::string> systemHeaders_;
  bool trackSystemVariables_ = false;
};

}  // namespace forksafe
