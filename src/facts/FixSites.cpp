// Offsets for fixes, and whether std::atomic<T> keeps every use of a variable valid: each use is
// checked against what std::atomic<T> offers with the same meaning, and anything else (an address
// taken, a reference bound, `*=`, a template argument deduced from it...) keeps the fix away.
#include "facts/FixSites.h"

#include <clang/AST/ParentMapContext.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Lex/Lexer.h>
#include <llvm/ADT/DenseMap.h>

#include <algorithm>
#include <cctype>

namespace forksafe {
namespace {

using namespace clang;

// The #include lines of a file and the conditional blocks (#if/#else/#endif) they sit in, from
// its text: an include goes into the same block as the declaration that needs it.
struct FileIncludes {
  struct Line {
    unsigned next;   // offset just past the line
    unsigned block;  // the innermost conditional block (0: none)
    bool atomic;     // #include <atomic>
    bool forksafe;   // #include <forksafe/...>: FORKSAFE_PER_WORKER is defined
  };
  std::vector<Line> includes;
  std::vector<std::pair<unsigned, unsigned>> blocks;  // from offset on, the block is ...

  unsigned blockAt(unsigned offset) const {
    unsigned block = 0;
    for (const auto& [at, b] : blocks) {
      if (at > offset) break;
      block = b;
    }
    return block;
  }
};

FileIncludes scanIncludes(llvm::StringRef text) {
  FileIncludes out;
  std::vector<unsigned> open;  // the stack of conditional blocks
  unsigned counter = 0;
  size_t at = 0;
  while (at < text.size()) {
    size_t eol = text.find('\n', at);
    size_t next = eol == llvm::StringRef::npos ? text.size() : eol + 1;
    llvm::StringRef line = text.slice(at, next).ltrim();
    if (line.consume_front("#")) {
      line = line.ltrim();
      llvm::StringRef word = line.take_while([](char c) { return std::isalpha(c); });
      if (word == "if" || word == "ifdef" || word == "ifndef") {
        open.push_back(++counter);
      } else if ((word == "else" || word == "elif" || word == "elifdef" || word == "elifndef") &&
                 !open.empty()) {
        open.back() = ++counter;
      } else if (word == "endif" && !open.empty()) {
        open.pop_back();
      } else if (word == "include" || word == "import") {
        out.includes.push_back({static_cast<unsigned>(next), open.empty() ? 0 : open.back(),
                                line.contains("<atomic>"), line.contains("forksafe/")});
      }
      if (word != "include" && word != "import")
        out.blocks.emplace_back(static_cast<unsigned>(next), open.empty() ? 0 : open.back());
    }
    at = next;
  }
  return out;
}

// Whether the declaration starting at `begin` declares only the variable named at `name`: no
// comma between them outside brackets (`int a, b;`), and `;`, `=`, `(` or `{` after the name's
// declarator (checked by the caller through the end of the declaration).
bool singleDeclarator(const SourceManager& sm, const LangOptions& lang, SourceLocation begin,
                      SourceLocation end) {
  std::optional<Token> next = Lexer::findNextToken(end, sm, lang);
  if (!next || !next->is(tok::semi)) return false;
  int depth = 0;
  SourceLocation at = begin;
  while (at.isValid() && sm.isBeforeInTranslationUnit(at, end)) {
    Token tok;
    if (Lexer::getRawToken(at, tok, sm, lang, /*IgnoreWhiteSpace=*/true)) return false;
    if (tok.isOneOf(tok::l_paren, tok::l_square, tok::l_brace, tok::less)) ++depth;
    if (tok.isOneOf(tok::r_paren, tok::r_square, tok::r_brace, tok::greater)) --depth;
    if (tok.is(tok::greatergreater)) depth -= 2;
    if (tok.is(tok::comma) && depth <= 0) return false;
    at = tok.getEndLoc();
  }
  return true;
}

// The written type of `var` as text, when it is made of type names and keywords only (no
// storage class interleaved, no macro): what `std::atomic<...>` can wrap.
bool writtenType(const SourceManager& sm, const LangOptions& lang, const VarDecl& var,
                 unsigned& begin, unsigned& end, std::string& text) {
  const TypeSourceInfo* info = var.getTypeSourceInfo();
  if (!info) return false;
  SourceRange range = info->getTypeLoc().getSourceRange();
  if (range.isInvalid() || !range.getBegin().isFileID() || !range.getEnd().isFileID()) return false;
  SourceLocation stop = Lexer::getLocForEndOfToken(range.getEnd(), 0, sm, lang);
  if (stop.isInvalid() || sm.getFileID(range.getBegin()) != sm.getFileID(stop)) return false;
  SourceLocation at = range.getBegin();
  while (sm.isBeforeInTranslationUnit(at, stop)) {
    Token tok;
    if (Lexer::getRawToken(at, tok, sm, lang, true)) return false;
    if (tok.is(tok::raw_identifier)) {
      llvm::StringRef word = tok.getRawIdentifier();
      static constexpr llvm::StringLiteral kBad[] = {
          "static",   "extern", "thread_local", "inline", "constexpr", "constinit", "const",
          "volatile", "auto",   "decltype",     "typeof", "register",  "mutable",   "_Atomic"};
      if (std::find(std::begin(kBad), std::end(kBad), word) != std::end(kBad)) return false;
    } else if (!tok.is(tok::coloncolon)) {
      return false;
    }
    if (!text.empty()) text += ' ';
    text += Lexer::getSpelling(tok, sm, lang);
    at = tok.getEndLoc();
  }
  begin = sm.getFileOffset(range.getBegin());
  end = sm.getFileOffset(stop);
  return !text.empty();
}

// Why `var` is not a candidate at all, before looking at its uses.
std::string candidateBlocker(ASTContext& ast, const VarDecl& var) {
  const SourceManager& sm = ast.getSourceManager();
  if (!ast.getLangOpts().CPlusPlus17) return "'std::atomic<T> x = v;' needs C++17";
  if (!var.hasGlobalStorage() || var.getTLSKind() != VarDecl::TLS_None)
    return "not a static-storage variable";
  if (var.isStaticDataMember()) return "a static data member";
  if (var.isExternallyVisible()) return "other files may declare it with its old type";
  if (var.getPreviousDecl() || var.getMostRecentDecl() != &var) return "declared more than once";
  QualType type = var.getType();
  if (type.isConstQualified() || type.isVolatileQualified()) return "const or volatile";
  if (!type->isIntegerType() || type->isEnumeralType()) return "not an integer or bool";
  if (ast.getTypeSize(type) > 64) return "wider than 64 bits";
  if (!var.getLocation().isFileID() || !sm.isInMainFile(var.getLocation()))
    return "not declared in the main file";
  return "";
}

bool refersTo(const Stmt* s, const VarDecl* var) {
  if (!s) return false;
  if (const auto* ref = dyn_cast<DeclRefExpr>(s))
    if (ref->getDecl()->getCanonicalDecl() == var) return true;
  for (const Stmt* child : s->children())
    if (refersTo(child, var)) return true;
  return false;
}

// Walks declarations keeping the chain of nodes from the root to the current one, and judges
// every use of a candidate variable.
class UseWalker : public RecursiveASTVisitor<UseWalker> {
 public:
  UseWalker(ASTContext& ast, llvm::DenseMap<const VarDecl*, std::string>& blockers)
      : ast_(ast), blockers_(blockers) {}

  bool shouldVisitTemplateInstantiations() const { return true; }

  bool TraverseStmt(Stmt* s, DataRecursionQueue* = nullptr) {
    if (!s) return true;
    stack_.push_back(DynTypedNode::create(*s));
    bool ok = RecursiveASTVisitor::TraverseStmt(s, nullptr);
    stack_.pop_back();
    return ok;
  }
  bool TraverseDecl(Decl* d) {
    if (!d) return true;
    stack_.push_back(DynTypedNode::create(*d));
    bool ok = RecursiveASTVisitor::TraverseDecl(d);
    stack_.pop_back();
    return ok;
  }

  bool VisitDeclRefExpr(DeclRefExpr* e) {
    const auto* var = dyn_cast<VarDecl>(e->getDecl());
    if (!var) return true;
    auto it = blockers_.find(var->getCanonicalDecl());
    if (it == blockers_.end() || !it->second.empty()) return true;
    it->second = judge(var->getCanonicalDecl(), stack_.size() - 1);
    return true;
  }

 private:
  // The nearest enclosing node above `k` that is not parentheses or ExprWithCleanups; k moves to
  // it.
  const DynTypedNode* up(size_t& k) const {
    while (k > 0) {
      --k;
      if (stack_[k].get<ParenExpr>() || stack_[k].get<ExprWithCleanups>()) continue;
      return &stack_[k];
    }
    return nullptr;
  }

  const Expr* expr(size_t k) const { return stack_[k].get<Expr>(); }

  // The use at stack_[k] (the DeclRefExpr).
  std::string judge(const VarDecl* var, size_t k) const {
    bool boolean = var->getType()->isBooleanType();
    // Inside a template the operations are not resolved yet: nothing to check them against.
    for (size_t i = k + 1; i-- > 0 && stack_[i].get<Expr>();)
      if (stack_[i].get<Expr>()->isTypeDependent() || stack_[i].get<Expr>()->isValueDependent())
        return "used in a template";
    const Expr* self = expr(k);
    const DynTypedNode* p = up(k);
    if (!p) return "used outside an expression";
    if (const auto* cast = p->get<ImplicitCastExpr>()) {
      if (cast->getCastKind() == CK_LValueToRValue) return value(k);
      return std::string("converted (") + cast->getCastKindName() + ")";
    }
    if (const auto* u = p->get<UnaryOperator>()) {
      if (u->getOpcode() == UO_AddrOf) return "its address is taken";
      if (!u->isIncrementDecrementOp()) return "used by a unary operator on the object";
      if (boolean) return "a bool is incremented";
      return discardedOrRead(k);
    }
    if (const auto* b = p->get<BinaryOperator>()) {
      if (b->getLHS()->IgnoreParens() != self) return "used as an operand without being read";
      switch (b->getOpcode()) {
        case BO_Comma:
          return "";
        case BO_Assign:
          if (refersTo(b->getRHS(), var))
            return "assigned a value computed from itself (two atomic operations, not one)";
          return discardedOrRead(k);
        case BO_AddAssign:
        case BO_SubAssign:
        case BO_AndAssign:
        case BO_OrAssign:
        case BO_XorAssign:
          if (boolean) return "std::atomic<bool> has no compound assignment";
          if (refersTo(b->getRHS(), var)) return "updated with a value computed from itself";
          // `int += double` computes in double; std::atomic<int>::operator+= converts first.
          if (const auto* op = dyn_cast<CompoundAssignOperator>(b);
              !op || !ast_.hasSameUnqualifiedType(op->getComputationLHSType(), var->getType()) ||
              !ast_.hasSameUnqualifiedType(op->getComputationResultType(), var->getType()))
            return "computed in another type than its own";
          return discardedOrRead(k);
        default:
          return "'" + b->getOpcodeStr().str() + "' is not an operation of std::atomic<T>";
      }
    }
    if (p->get<CallExpr>() || p->get<CXXConstructExpr>()) return "a reference to it is bound";
    if (p->get<VarDecl>() || p->get<ReturnStmt>()) return "a reference to it is bound";
    if (p->get<UnaryExprOrTypeTraitExpr>()) return "its size or alignment is taken";
    if (p->get<Decl>()) return "used in a declaration (decltype, a template argument...)";
    return std::string("used in a ") + p->getNodeKind().asStringRef().str();
  }

  // The result of `++x`, `x = v`, `x += v` is ignored or only read (std::atomic returns T, not T&).
  std::string discardedOrRead(size_t k) const {
    const Expr* self = expr(k);
    const DynTypedNode* p = up(k);
    if (!p) return "";
    if (const auto* cast = p->get<ImplicitCastExpr>()) {
      if (cast->getCastKind() == CK_LValueToRValue) return value(k);
      return "its result is converted";
    }
    if (const auto* b = p->get<BinaryOperator>())
      if (b->getOpcode() == BO_Comma && b->getLHS()->IgnoreParens() == self) return "";
    if (const auto* cast = p->get<ExplicitCastExpr>())
      if (cast->getCastKind() == CK_ToVoid) return "";
    if (p->get<ReturnStmt>()) return "its result is returned by reference";
    if (p->get<Expr>() || p->get<Decl>()) return "its result is used as an lvalue";
    return "";  // a statement: the value is discarded
  }

  // A read (an lvalue-to-rvalue conversion at stack_[k]): the T it yields must be consumed the
  // same way when it comes from std::atomic<T>::operator T().
  std::string value(size_t k) const {
    const Expr* self = expr(k);
    const DynTypedNode* p = up(k);
    while (p && p->get<ImplicitCastExpr>()) {
      self = expr(k);
      p = up(k);
    }
    if (!p) return "";
    if (const auto* call = p->get<CallExpr>()) {
      if (isa<CXXOperatorCallExpr>(call)) return "an operand of an overloaded operator";
      unsigned index = 0;
      while (index < call->getNumArgs() && call->getArg(index)->IgnoreParens() != self) ++index;
      if (index == call->getNumArgs()) return "the callee of a call";
      const FunctionDecl* callee = call->getDirectCallee();
      if (!callee) {
        const auto* proto = call->getCallee()
                                ->getType()
                                ->getPointeeOrArrayElementType()
                                ->getAs<FunctionProtoType>();
        if (!proto || call->isTypeDependent()) return "an argument of a dependent call";
        if (proto->isVariadic() && index >= proto->getNumParams()) return "passed through '...'";
        return "";
      }
      return argumentBlocker(callee, index);
    }
    if (const auto* construct = p->get<CXXConstructExpr>()) {
      unsigned index = 0;
      while (index < construct->getNumArgs() && construct->getArg(index)->IgnoreParens() != self)
        ++index;
      return argumentBlocker(construct->getConstructor(), index);
    }
    if (const auto* var = p->get<VarDecl>()) {
      const TypeSourceInfo* info = var->getTypeSourceInfo();
      if (info && info->getType()->getContainedDeducedType())
        return "initializes a variable whose type is deduced";
      return "";
    }
    if (p->get<ReturnStmt>()) {
      for (size_t i = k; i-- > 0;) {
        if (const auto* lambda = stack_[i].get<LambdaExpr>())
          return lambda->hasExplicitResultType() ? ""
                                                 : "returned from a lambda with a deduced type";
        if (const auto* fn = stack_[i].get<FunctionDecl>())
          return fn->getDeclaredReturnType()->getContainedDeducedType()
                     ? "returned from a function with a deduced return type"
                     : "";
      }
    }
    return "";
  }

  // Passing `T` where `std::atomic<T>` would be converted: fine when every overload of the callee
  // takes a non-reference, non-class parameter there, so overload resolution picks the same one.
  static std::string argumentBlocker(const FunctionDecl* callee, unsigned index) {
    if (!callee) return "an argument of an unknown callee";
    if (callee->getTemplatedKind() == FunctionDecl::TK_FunctionTemplateSpecialization ||
        callee->getTemplatedKind() == FunctionDecl::TK_DependentFunctionTemplateSpecialization)
      return "an argument of a function template (deduced from it)";
    if (index >= callee->getNumParams()) return "passed through '...'";
    const DeclContext* scope = callee->getDeclContext()->getRedeclContext();
    for (const NamedDecl* other : scope->lookup(callee->getDeclName())) {
      if (isa<FunctionTemplateDecl>(other))
        return "an argument of a function overloaded by a template";
      const auto* fn = dyn_cast<FunctionDecl>(other);
      if (!fn || index >= fn->getNumParams()) continue;
      QualType param = fn->getParamDecl(index)->getType();
      if (param->isReferenceType() || param->isRecordType() || param->isDependentType())
        return "an argument of an overload taking a reference or a class there";
    }
    return "";
  }

  ASTContext& ast_;
  llvm::DenseMap<const VarDecl*, std::string>& blockers_;
  std::vector<DynTypedNode> stack_;
};

// Blockers of the candidates among `vars` after walking the main file ("" = every use valid).
llvm::DenseMap<const VarDecl*, std::string> judgeUses(ASTContext& ast,
                                                      const std::vector<const VarDecl*>& vars) {
  llvm::DenseMap<const VarDecl*, std::string> blockers;
  for (const VarDecl* var : vars) blockers[var->getCanonicalDecl()] = "";
  if (vars.empty()) return blockers;
  const SourceManager& sm = ast.getSourceManager();
  UseWalker walker(ast, blockers);
  for (Decl* d : ast.getTranslationUnitDecl()->decls())
    if (sm.isInMainFile(sm.getExpansionLoc(d->getLocation()))) walker.TraverseDecl(d);
  return blockers;
}

}  // namespace

struct FixSiteCollector::Includes {
  llvm::DenseMap<FileID, FileIncludes> files;
};

FixSiteCollector::FixSiteCollector(ASTContext& ast) : ast_(ast) {}
FixSiteCollector::~FixSiteCollector() = default;

void FixSiteCollector::collect(const VarDecl& shown, VariableFact& fact) {
  ASTContext& ast = ast_;
  const SourceManager& sm = ast.getSourceManager();
  const LangOptions& lang = ast.getLangOpts();
  FixSite& fix = fact.fix;
  SourceLocation name = sm.getFileLoc(shown.getLocation());
  FileID fid = sm.getFileID(name);
  bool invalid = false;
  llvm::StringRef text = sm.getBufferData(fid, &invalid);
  if (invalid) return;
  size_t eol = text.find('\n', sm.getFileOffset(name));
  if (eol == llvm::StringRef::npos) eol = text.size();
  size_t end = eol;
  if (end > 0 && text[end - 1] == '\r') --end;
  fix.lineEnd = static_cast<unsigned>(end);
  fix.nolint = !(end > 0 && text[end - 1] == '\\');  // a continued line is a macro's

  SourceLocation begin = shown.getBeginLoc();
  if (!begin.isFileID() || !shown.getLocation().isFileID() || sm.getFileID(begin) != fid ||
      !singleDeclarator(sm, lang, begin, shown.getEndLoc()))
    return;
  fix.editable = true;
  fix.declBegin = sm.getFileOffset(begin);
  // The include goes after the last #include above the declaration, or at the top of the file.
  if (!includes_) includes_ = std::make_unique<Includes>();
  auto it = includes_->files.find(fid);
  if (it == includes_->files.end())
    it = includes_->files.try_emplace(fid, scanIncludes(text)).first;
  unsigned block = it->second.blockAt(fix.declBegin);
  for (const FileIncludes::Line& line : it->second.includes) {
    if (line.next > fix.declBegin) break;
    if (line.block != block) continue;
    fix.includeAt = line.next;
    fix.includesAtomic |= line.atomic;
    fix.perWorkerMacro |= line.forksafe;
  }
  if (candidateBlocker(ast, shown).empty())
    writtenType(sm, lang, shown, fix.typeBegin, fix.typeEnd, fix.atomicType);
  // atomicType is only a candidate's until decideAtomicFixes() has seen every use.
}

std::string atomicBlocker(ASTContext& ast, const VarDecl& var) {
  std::string why = candidateBlocker(ast, var);
  if (!why.empty()) return why;
  if (!singleDeclarator(ast.getSourceManager(), ast.getLangOpts(), var.getBeginLoc(),
                        var.getEndLoc()))
    return "declared together with other variables";
  unsigned begin = 0, end = 0;
  std::string type;
  if (!writtenType(ast.getSourceManager(), ast.getLangOpts(), var, begin, end, type))
    return "its type is not written as type names and keywords only";
  return judgeUses(ast, {&var}).lookup(var.getCanonicalDecl());
}

void decideAtomicFixes(ASTContext& ast,
                       const std::vector<std::pair<const VarDecl*, VariableFact*>>& vars) {
  std::vector<const VarDecl*> candidates;
  for (const auto& [decl, fact] : vars)
    if (!fact->fix.atomicType.empty()) candidates.push_back(decl);
  auto blockers = judgeUses(ast, candidates);
  for (const auto& [decl, fact] : vars) {
    if (fact->fix.atomicType.empty()) continue;
    if (!blockers.lookup(decl->getCanonicalDecl()).empty()) {
      fact->fix.atomicType.clear();
      fact->fix.typeBegin = fact->fix.typeEnd = 0;
    }
  }
}

}  // namespace forksafe
