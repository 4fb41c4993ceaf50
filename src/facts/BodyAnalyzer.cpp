// Walks one function body in source order and records calls, callables, accesses and events.
//
// Writes are found top-down: each construct that modifies an lvalue (assignment, ++/--, a
// non-const member call, binding to a non-const reference or pointer parameter) asks findBases()
// which storage the modified expression designates. findBases() looks through member and array
// accesses, local reference/pointer/iterator aliases and calls that return references into their
// object, and stops at the pointee of a pointer variable: a handler that uses the object behind a
// global pointer does not write the pointer. Symbolic bases (a parameter, another function's
// returned reference) are resolved later by the Model, which sees every function.
#include "facts/BodyAnalyzer.h"

#include <clang/AST/Attr.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/RecursiveASTVisitor.h>

#include <optional>

#include "facts/FrameworkCalls.h"
#include "facts/PreforkEvents.h"
#include "facts/StorageResolver.h"
#include "facts/TypeClassify.h"
#include "facts/ValueOrigin.h"

namespace forksafe {
namespace {

using namespace clang;

bool hasConstOverload(const CXXMethodDecl* method) {
  if (method->isConst() || !method->getDeclName()) return false;
  for (const NamedDecl* d : method->getParent()->lookup(method->getDeclName())) {
    const auto* other = dyn_cast_or_null<CXXMethodDecl>(d->getAsFunction());
    if (other && other != method && other->isConst() &&
        other->getNumParams() == method->getNumParams())
      return true;
  }
  return false;
}

std::string describeCall(const FunctionDecl* fn) {
  if (fn->isOverloadedOperator())
    return std::string("'operator") + getOperatorSpelling(fn->getOverloadedOperator()) + "'";
  return "'" + fn->getNameAsString() + "()'";
}

class BodyAnalyzer : public RecursiveASTVisitor<BodyAnalyzer> {
  using Base_ = RecursiveASTVisitor<BodyAnalyzer>;

 public:
  BodyAnalyzer(CollectorContext& ctx, std::string fnId, const FunctionDecl* fn)
      : ctx_(ctx),
        fnId_(std::move(fnId)),
        fn_(fn),
        storage_(ctx, fn),
        events_(ctx, fnId_, storage_) {
    // A framework's own code (a vendored Crow calling asio) registers and serves for the
    // framework: none of that makes roots.
    inFramework_ = fn && ctx.isInFrameworkHeader(ctx.location(fn->getLocation()).file);
  }

  // Whatever this function runs after the call that starts serving is request time: it goes to
  // the pseudo-function "serve:<id>", a handler root of the framework.
  void startServing(const Framework& fw, const std::string& what, SourceLocation loc,
                    bool blocking = false) {
    if (llvm::StringRef(fnId_).starts_with(kServePrefix) || !fn_ || inFramework_) return;
    FunctionFact serve;
    serve.id = kServePrefix + fnId_;
    serve.name = ctx_.functionName(fn_) + " after " + what + (blocking ? " returns" : "");
    serve.loc = ctx_.location(loc);
    serve.root = blocking ? RootKind::Shutdown : RootKind::Handler;
    serve.framework = fw.name;
    ctx_.facts().functions.push_back(std::move(serve));
    ctx_.sawFramework(fw.name);
    fnId_ = kServePrefix + fnId_;
  }

  bool shouldVisitTemplateInstantiations() const { return false; }
  bool shouldVisitImplicitCode() const { return false; }

  // Nested functions and local classes are analysed on their own.
  bool TraverseDecl(Decl* d) {
    if (d && (isa<TagDecl>(d) || isa<FunctionDecl>(d) || isa<FunctionTemplateDecl>(d) ||
              isa<ClassTemplateDecl>(d)))
      return true;
    return Base_::TraverseDecl(d);
  }

  bool TraverseCompoundStmt(CompoundStmt* s, DataRecursionQueue* = nullptr) {
    scopeGuards_.emplace_back();
    bool ok = Base_::TraverseCompoundStmt(s);
    for (const VarDecl* guard : scopeGuards_.back()) heldGuards_.erase(guard);
    scopeGuards_.pop_back();
    return ok;
  }

  bool TraverseLambdaExpr(LambdaExpr* e, DataRecursionQueue* = nullptr) {
    if (!invokedLambdas_.count(e)) {
      for (const FunctionDecl* target : lambdaTargets(e))
        ctx_.markAddressTaken(ctx_.functionId(target));
    }
    if (!invokedLambdas_.count(e) && !storedLambdas_.count(e))
      addLambdaEdges(e, callableKind(e), e->getBeginLoc());
    for (Expr* init : e->capture_inits())
      if (init) TraverseStmt(init);
    return true;  // the body is its own function
  }

  bool VisitCXXForRangeStmt(CXXForRangeStmt* s) {
    const VarDecl* loopVar = s->getLoopVariable();
    if (loopVar && isNonConstLValueRef(loopVar->getType())) {
      rangeLoopVars_.insert(loopVar);
      storage_.refAliases[loopVar] = s->getRangeInit();
    }
    return true;
  }

  bool VisitVarDecl(VarDecl* var) {
    if (isa<ParmVarDecl>(var)) return true;
    if (var->hasGlobalStorage()) {
      const VariableFact* fact = ctx_.variable(var);
      if (fact && var->getInit()) {
        Base target{BaseKind::Variable, fact->id, 0};
        events_.store(var->getInit(), target);
      }
      return true;
    }
    QualType type = var->getType();
    const Expr* init = var->getInit();
    if (isLockGuardType(type)) {
      scopeGuards_.back().push_back(var);
      if (!isDeferredLock(init)) heldGuards_.insert(var);
    }
    addDestructorEdge(type, var->getLocation());
    if (!init) return true;
    if (const auto* lambda = dyn_cast<LambdaExpr>(strip(init->IgnoreImplicit()))) {
      lambdaVars_[var] = lambda;
      storedLambdas_.insert(lambda);
    }
    if (rangeLoopVars_.count(var)) return true;
    if (isNonConstLValueRef(type)) {
      storage_.refAliases[var] = init;
    } else if (isPointerToNonConst(type)) {
      storage_.ptrAliases[var] = init;
    } else if (type->isRecordType()) {
      if (const auto* call = dyn_cast<CXXMemberCallExpr>(strip(init->IgnoreImplicit())))
        if (call->getMethodDecl() && !call->getMethodDecl()->isConst())
          storage_.iterAliases[var] = call;
    }
    if (std::string api = events_.directOpener(init); !api.empty())
      events_.noteLocalOpener(var, api);
    return true;
  }

  bool VisitDeclRefExpr(DeclRefExpr* e) {
    if (const auto* var = dyn_cast<VarDecl>(e->getDecl())) {
      if (var->hasGlobalStorage()) {
        if (const VariableFact* fact = ctx_.variable(var)) recordRead(fact->id, e->getLocation());
      } else if (auto it = lambdaVars_.find(var); it != lambdaVars_.end()) {
        auto kind = callableArgs_.find(e);
        if (kind != callableArgs_.end()) addLambdaEdges(it->second, kind->second, e->getLocation());
      }
      return true;
    }
    if (const auto* fn = dyn_cast<FunctionDecl>(e->getDecl())) {
      if (!calleeRefs_.count(e)) {
        addEdge(fn, callableKind(e), e->getLocation());
        if (!ctx_.isInSystemHeader(fn)) ctx_.markAddressTaken(ctx_.functionId(fn));
      }
    }
    return true;
  }

  bool VisitMemberExpr(MemberExpr* e) {
    if (const auto* var = dyn_cast<VarDecl>(e->getMemberDecl()))
      if (const VariableFact* fact = ctx_.variable(var)) recordRead(fact->id, e->getMemberLoc());
    return true;
  }

  bool VisitBinaryOperator(BinaryOperator* op) {
    if (!op->isAssignmentOp()) return true;
    // sa.sa_handler = on_signal / sa.sa_sigaction = on_signal: a signal handler.
    if (const auto* member = dyn_cast<MemberExpr>(op->getLHS()->IgnoreParenImpCasts())) {
      const auto* field = member->getMemberDecl();
      if (field->getIdentifier() &&
          (field->getName() == "sa_handler" || field->getName() == "sa_sigaction"))
        if (const Expr* node = callableNode(op->getRHS())) markRoot(node, RootKind::Signal);
    }
    std::string how = op->getOpcode() == BO_Assign
                          ? "assigned"
                          : "modified with '" + op->getOpcodeStr().str() + "'";
    bool atomic = isAtomicType(op->getLHS()->getType());
    markWrite(op->getLHS(), false, how, op->getOperatorLoc(), atomic);
    if (op->getOpcode() == BO_Assign) {
      for (const Base& base : storage_.bases(op->getLHS(), false))
        events_.store(op->getRHS(), base);
    }
    return true;
  }

  bool VisitUnaryOperator(UnaryOperator* op) {
    if (!op->isIncrementDecrementOp()) return true;
    markWrite(op->getSubExpr(), false, op->isIncrementOp() ? "incremented" : "decremented",
              op->getOperatorLoc(), isAtomicType(op->getSubExpr()->getType()));
    return true;
  }

  bool VisitCallExpr(CallExpr* call) {
    const FunctionDecl* callee = call->getDirectCallee();
    if (const auto* ref = dyn_cast<DeclRefExpr>(call->getCallee()->IgnoreParenImpCasts()))
      calleeRefs_.insert(ref);
    const auto* method = dyn_cast_or_null<CXXMethodDecl>(callee);
    const Expr* object = nullptr;
    bool objectViaPointer = false;
    unsigned firstArg = 0;
    bool qualified = false;
    if (const auto* member = dyn_cast<CXXMemberCallExpr>(call)) {
      object = member->getImplicitObjectArgument();
      if (const auto* me = dyn_cast<MemberExpr>(member->getCallee()->IgnoreParens())) {
        objectViaPointer = me->isArrow();
        qualified = me->hasQualifier();
      }
    } else if (const auto* op = dyn_cast<CXXOperatorCallExpr>(call); op && method) {
      object = op->getArg(0);
      firstArg = 1;
    }
    if (method && method->getParent()->isLambda() && object) {
      if (const auto* lambda = dyn_cast<LambdaExpr>(strip(object->IgnoreImplicit())))
        invokedLambdas_.insert(lambda);
    }

    if (callee) {
      if (!ctx_.isInSystemHeader(callee)) {
        bool isVirtual = method && method->isVirtual() && !qualified &&
                         !method->hasAttr<FinalAttr>() &&
                         !method->getParent()->hasAttr<FinalAttr>();
        addEdge(callee, isVirtual ? EdgeKind::Virtual : EdgeKind::Direct, call->getBeginLoc());
      }
      if (!method) apiCall(*callee, call);
      if (ctx_.knowsMultiProcessCalls() &&
          ctx_.isMultiProcessCall(callee->getQualifiedNameAsString()))
        events_.add(EventKind::Fork, call->getBeginLoc(), callee->getQualifiedNameAsString(),
                    nullptr);
    }
    llvm::ArrayRef<const Expr*> args(call->getArgs() + firstArg, call->getNumArgs() - firstArg);
    const Framework* serves = nullptr;
    bool registers = false, blocking = false;
    if (callee) frameworkCall(*callee, args, registers, serves, blocking);
    if (ctx_.frameworks().hasMacros() && call->getBeginLoc().isMacroID())
      macroRegistration(call, args);
    // Registering a handler or starting to serve is configuring the server, not writing it.
    if (registers || serves) {
      classifyCallables(callee, args);
      if (serves)
        startServing(*serves, callee->getNameAsString() + "()", call->getEndLoc(), blocking);
      return true;
    }
    if (method && object && !method->isStatic()) {
      handleMethodOnObject(*method, object, objectViaPointer, call->getExprLoc(), call);
      if (method->getOverloadedOperator() == OO_Equal && call->getNumArgs() == 2)
        for (const Base& base : storage_.bases(object, objectViaPointer))
          events_.store(call->getArg(1), base);
    }

    const FunctionProtoType* proto = nullptr;
    if (!callee) {
      QualType calleeType = call->getCallee()->getType();
      if (const auto* ptr = calleeType->getAs<PointerType>()) calleeType = ptr->getPointeeType();
      proto = calleeType->getAs<FunctionProtoType>();
      if (proto) addIndirectCall(signatureOf(proto), call->getBeginLoc());
    } else if (method && object && method->getOverloadedOperator() == OO_Call) {
      // std::function<R(Args...)>::operator(): whatever was stored with that signature.
      QualType objectType = object->IgnoreImpCasts()->getType();
      if (recordName(objectType) == "std::function")
        if (const auto* spec =
                dyn_cast_or_null<ClassTemplateSpecializationDecl>(objectType->getAsCXXRecordDecl()))
          if (spec->getTemplateArgs().size() == 1 &&
              spec->getTemplateArgs()[0].getKind() == TemplateArgument::Type)
            addIndirectCall(
                signatureOf(spec->getTemplateArgs()[0].getAsType()->getAs<FunctionProtoType>()),
                call->getBeginLoc());
    }
    bindArguments(callee, proto, args);
    if (callee && !method) recordSignalHandler(*callee, args);
    if (callee) markIteratorWrites(*callee, args);
    classifyCallables(callee, args);
    return true;
  }

  bool VisitCXXConstructExpr(CXXConstructExpr* e) {
    const CXXConstructorDecl* ctor = e->getConstructor();
    if (!ctor) return true;
    if (!ctx_.isInSystemHeader(ctor)) addEdge(ctor, EdgeKind::Direct, e->getBeginLoc());
    llvm::ArrayRef<const Expr*> args(e->getArgs(), e->getNumArgs());
    bool thread =
        isThreadType(e->getType()) && !ctor->isCopyOrMoveConstructor() && e->getNumArgs() > 0;
    if (thread)
      events_.add(EventKind::ThreadStart, e->getBeginLoc(), recordName(e->getType()), nullptr);
    const Framework* serves = nullptr;
    bool registers = false, blocking = false;
    frameworkCall(*ctor, args, registers, serves, blocking);
    if (!registers && !serves) bindArguments(ctor, nullptr, args);
    classifyCallables(ctor, args);
    if (serves) {
      startServing(*serves, "constructing " + ctor->getNameAsString(), e->getEndLoc(), blocking);
    } else if (thread) {
      // std::thread t([&] { svr.listen(...); }): main serves from here on.
      for (const Expr* arg : args) {
        std::string what;
        if (const Framework* fw = servedInside(arg, what))
          startServing(*fw, "starting the thread that runs " + what + "()", e->getEndLoc());
      }
    }
    return true;
  }

  bool VisitCXXDeleteExpr(CXXDeleteExpr* e) {
    addDestructorEdge(e->getDestroyedType(), e->getBeginLoc());
    return true;
  }

  bool VisitReturnStmt(ReturnStmt* s) {
    const Expr* value = s->getRetValue();
    if (!fn_ || !value) return true;
    QualType ret = fn_->getReturnType();
    if (isNonConstLValueRef(ret) || isPointerToNonConst(ret)) {
      for (const Base& base : storage_.bases(value, ret->isPointerType()))
        if (base.kind != BaseKind::This) ctx_.facts().returns.push_back({fnId_, base});
    }
    if (!ret->isVoidType()) events_.store(value, Base{BaseKind::Result, "", 0});
    return true;
  }

  void analyzeConstructorInits(const CXXConstructorDecl& ctor) {
    for (const CXXCtorInitializer* init : ctor.inits()) {
      if (!init->isWritten() || !init->getInit()) continue;
      TraverseStmt(init->getInit());
      if (init->isMemberInitializer()) events_.store(init->getInit(), Base{BaseKind::This, "", 0});
    }
  }

  // Records what the initializer of a static variable stores into it.
  void analyzeInitializerStore(const Expr* init, const std::string& varId) {
    events_.store(init, Base{BaseKind::Variable, varId, 0});
  }

 private:
  bool locked() const { return !heldGuards_.empty() || manualLocks_ > 0; }

  static bool isDeferredLock(const Expr* init) {
    const auto* construct =
        init ? dyn_cast<CXXConstructExpr>(strip(init->IgnoreImplicit())) : nullptr;
    if (!construct) return false;
    for (const Expr* arg : construct->arguments()) {
      std::string name = recordName(arg->getType());
      if (name == "std::defer_lock_t" || name == "std::try_to_lock_t") return true;
    }
    return false;
  }

  void recordRead(const std::string& varId, SourceLocation loc) {
    AccessFact access;
    access.function = fnId_;
    access.base = Base{BaseKind::Variable, varId, 0};
    access.kind = AccessKind::Read;
    access.loc = ctx_.location(loc);
    access.locked = locked();
    access.how = "read";
    ctx_.facts().accesses.push_back(std::move(access));
  }

  void addEdge(const FunctionDecl* callee, EdgeKind kind, SourceLocation loc) {
    if (ctx_.isInSystemHeader(callee)) return;
    CallFact call;
    call.caller = fnId_;
    call.callee = ctx_.functionId(callee);
    call.kind = kind;
    call.loc = ctx_.location(loc);
    call.locked = kind != EdgeKind::Callback && locked();
    ctx_.facts().calls.push_back(std::move(call));
  }

  void addIndirectCall(std::string signature, SourceLocation loc) {
    if (signature.empty()) return;
    ctx_.facts().indirectCalls.push_back(
        {fnId_, std::move(signature), ctx_.location(loc), locked()});
  }

  static llvm::SmallVector<const FunctionDecl*, 2> lambdaTargets(const LambdaExpr* e) {
    llvm::SmallVector<const FunctionDecl*, 2> out;
    const CXXMethodDecl* op = e->getCallOperator();
    if (const FunctionTemplateDecl* tmpl = op->getDescribedFunctionTemplate()) {
      for (const FunctionDecl* spec : tmpl->specializations()) out.push_back(spec);
    } else {
      out.push_back(op);
    }
    return out;
  }

  void addLambdaEdges(const LambdaExpr* e, EdgeKind kind, SourceLocation loc) {
    for (const FunctionDecl* target : lambdaTargets(e)) addEdge(target, kind, loc);
  }

  void addDestructorEdge(QualType type, SourceLocation loc) {
    const auto* rec = type->getAsCXXRecordDecl();
    if (!rec || !rec->hasDefinition()) return;
    if (const CXXDestructorDecl* dtor = rec->getDestructor())
      if (dtor->isUserProvided()) addEdge(dtor, EdgeKind::Direct, loc);
  }

  EdgeKind callableKind(const Expr* e) const {
    auto it = callableArgs_.find(e);
    return it == callableArgs_.end() ? EdgeKind::Callback : it->second;
  }

  // The lambda or function an argument designates, if it is a callable passed by name.
  const Expr* callableNode(const Expr* arg) const {
    const Expr* e = arg;
    while (true) {
      e = strip(e->IgnoreImplicit());
      if (const auto* cast = dyn_cast<CXXFunctionalCastExpr>(e)) {
        e = cast->getSubExpr();
        continue;
      }
      if (const auto* construct = dyn_cast<CXXConstructExpr>(e)) {
        if (construct->getNumArgs() == 1) {
          e = construct->getArg(0);
          continue;
        }
        return nullptr;
      }
      if (const auto* unary = dyn_cast<UnaryOperator>(e);
          unary && unary->getOpcode() == UO_AddrOf) {
        e = unary->getSubExpr();
        continue;
      }
      break;
    }
    if (isa<LambdaExpr>(e)) return e;
    if (const auto* ref = dyn_cast<DeclRefExpr>(e)) {
      if (isa<FunctionDecl>(ref->getDecl())) return e;
      if (const auto* var = dyn_cast<VarDecl>(ref->getDecl()); var && lambdaVars_.count(var))
        return e;
    }
    return nullptr;
  }

  void classifyCallables(const FunctionDecl* callee, llvm::ArrayRef<const Expr*> args) {
    EdgeKind kind = EdgeKind::Callback;
    if (callee && isCallOnce(*callee))
      kind = EdgeKind::Once;
    else if (callee && isSynchronousCaller(*callee))
      kind = EdgeKind::Direct;
    for (unsigned i = 0; i < args.size(); ++i) {
      const Expr* node = callableNode(args[i]);
      if (!node) continue;
      callableArgs_.try_emplace(node, kind);
      if (RootKind role = parameterRole(callee, i); role != RootKind::None) markRoot(node, role);
    }
  }

  void markRoot(const Expr* node, RootKind role, const std::string& framework = "",
                const std::string& display = "") {
    auto mark = [&](const FunctionDecl* fn) {
      ctx_.markRoot(ctx_.functionId(fn), role, framework, display);
    };
    if (const auto* lambda = dyn_cast<LambdaExpr>(node)) {
      for (const FunctionDecl* fn : lambdaTargets(lambda)) mark(fn);
    } else if (const auto* ref = dyn_cast<DeclRefExpr>(node)) {
      if (const auto* function = dyn_cast<FunctionDecl>(ref->getDecl())) {
        mark(function);
      } else if (const auto* var = dyn_cast<VarDecl>(ref->getDecl())) {
        if (auto it = lambdaVars_.find(var); it != lambdaVars_.end())
          for (const FunctionDecl* fn : lambdaTargets(it->second)) mark(fn);
      }
    }
  }

  // --- frameworks ---------------------------------------------------------------------------

  // The callable a handler argument designates: the argument itself, or the callable bound in
  // it (std::bind(&C::on_get, this, _1), Pistache's Routes::bind(&C::on_get, this)).
  const Expr* handlerNode(const Expr* arg, int depth = 0) const {
    if (!arg || depth > 3) return nullptr;
    if (const Expr* node = callableNode(arg)) return node;
    const Expr* e = strip(arg->IgnoreImplicit());
    llvm::ArrayRef<const Expr*> inner;
    if (const auto* call = dyn_cast<CallExpr>(e))
      inner = llvm::ArrayRef<const Expr*>(call->getArgs(), call->getNumArgs());
    else if (const auto* construct = dyn_cast<CXXConstructExpr>(e))
      inner = llvm::ArrayRef<const Expr*>(construct->getArgs(), construct->getNumArgs());
    for (const Expr* a : inner)
      if (const Expr* node = handlerNode(a, depth + 1)) return node;
    return nullptr;
  }

  // A call of the framework table: marks the handlers it registers and tells whether it is a
  // registration and whether it starts serving.
  void frameworkCall(const FunctionDecl& callee, llvm::ArrayRef<const Expr*> args, bool& registers,
                     const Framework*& serves, bool& blocking) {
    if (inFramework_) return;
    const FrameworkIndex& index = ctx_.frameworks();
    llvm::StringRef simple;
    if (callee.getDeclName().isIdentifier())
      simple = callee.getName();
    else if (const auto* ctor = dyn_cast<CXXConstructorDecl>(&callee))
      simple = ctor->getParent()->getIdentifier() ? ctor->getParent()->getName() : "";
    else if (callee.getOverloadedOperator() == OO_Call)
      simple = "operator()";
    if (simple.empty() || !index.mayMatch(simple)) return;
    std::string qualified = CollectorContext::plainQualifiedName(&callee);
    serves = index.serving(qualified, blocking);
    const auto* entries = index.registrations(qualified);
    if (!entries) return;
    int n = static_cast<int>(args.size());
    for (const FrameworkIndex::Registration& r : *entries) {
      const HandlerFunction& h = *r.entry;
      auto at = [&](std::optional<int> i) -> const Expr* {
        if (!i) return nullptr;
        int k = *i < 0 ? n + *i : *i;
        return k >= 0 && k < n ? args[k] : nullptr;
      };
      const Expr* handler = at(h.handler);
      if (!handler) continue;
      registers = true;
      ctx_.sawFramework(r.framework->name);
      const Expr* node = handlerNode(handler);
      if (!node) continue;
      std::string method = h.method;
      if (const Expr* m = at(h.methodArg); m && m != handler)
        if (std::string named = methodText(m); !named.empty()) method = named;
      const Expr* route = at(h.route);
      std::string display = route ? handlerDisplay(method, literalText(route)) : "";
      markRoot(node, RootKind::Handler, r.framework->name, display);
    }
  }

  // A call started by a framework macro: CROW_ROUTE(app, "/x").methods("POST"_method)(handler).
  void macroRegistration(const CallExpr* call, llvm::ArrayRef<const Expr*> args) {
    if (inFramework_) return;
    const auto* macros = ctx_.frameworks().macros(ctx_.macroName(call->getBeginLoc()));
    if (!macros) return;
    auto use = ctx_.macroUse(call->getBeginLoc());
    if (!use) return;
    for (const FrameworkIndex::Macro& m : *macros) {
      if (m.entry->defines) continue;
      for (const Expr* arg : args) {
        const Expr* node = callableNode(arg);
        if (!node) continue;
        auto macroArg = [&](std::optional<int> i) {
          return i && static_cast<size_t>(*i) < use->args.size() ? use->args[*i] : "";
        };
        std::string method = m.entry->method;
        if (std::string named = unquoteArgument(macroArg(m.entry->methodArg)); !named.empty())
          method = named;
        if (std::string chained = chainedMethods(ctx_, call, arg); !chained.empty())
          method = chained;
        markRoot(node, RootKind::Handler, m.framework->name,
                 handlerDisplay(method, unquoteArgument(macroArg(m.entry->route))));
        ctx_.sawFramework(m.framework->name);
      }
    }
  }

  // Whether the callable `arg` (a thread's body) itself calls a framework's serving function.
  const Framework* servedInside(const Expr* arg, std::string& what) const {
    const Expr* node = callableNode(arg);
    const Stmt* body = nullptr;
    if (const auto* lambda = node ? dyn_cast<LambdaExpr>(node) : nullptr) {
      body = lambda->getBody();
    } else if (const auto* ref = node ? dyn_cast<DeclRefExpr>(node) : nullptr) {
      if (const auto* fn = dyn_cast<FunctionDecl>(ref->getDecl()))
        body = fn->getBody();
      else if (const auto* var = dyn_cast<VarDecl>(ref->getDecl()))
        if (auto it = lambdaVars_.find(var); it != lambdaVars_.end()) body = it->second->getBody();
    }
    return servingCallIn(ctx_, body, what);
  }

  // signal(SIGINT, on_signal): a signal handler, neither request time nor init.
  void recordSignalHandler(const FunctionDecl& callee, llvm::ArrayRef<const Expr*> args) {
    if (!callee.getIdentifier() || args.size() != 2) return;
    llvm::StringRef name = callee.getName();
    if (name != "signal" && name != "sigset" && name != "bsd_signal") return;
    if (const Expr* node = callableNode(args[1])) markRoot(node, RootKind::Signal);
  }

  // --- writes -------------------------------------------------------------------------------

  // A pointer or reference to a library object that is not a standard one (FILE, sqlite3, a
  // client or logger class) or to an incomplete type: a handle to something outside our state.
  bool isLibraryHandle(QualType type) {
    QualType pointee = pointeeType(type);
    if (pointee.isNull()) pointee = type;
    const auto* record = pointee->getAsRecordDecl();
    if (!record) return false;
    if (!record->getDefinition()) return true;
    const auto* cxx = dyn_cast<CXXRecordDecl>(record);
    return ctx_.isInSystemHeader(record) && !(cxx && isStdRecord(cxx));
  }

  // `pointees`: whether storage reached through a pointer counts. A library object behind a
  // pointer (a logger, a client, a FILE) is a handle: calling it is not writing our state.
  void markWrite(const Expr* e, bool viaPointer, const std::string& how, SourceLocation loc,
                 bool atomic, bool pointees = true) {
    for (const Base& found : storage_.bases(e, viaPointer)) {
      if (found.pointee && !pointees) continue;
      std::optional<Base> tracked = storage_.asTracked(found);
      if (!tracked) continue;
      const Base& base = *tracked;
      AccessFact access;
      access.function = fnId_;
      access.base = base;
      access.kind = AccessKind::Write;
      access.loc = ctx_.location(loc);
      access.locked = locked();
      access.atomic = atomic;
      access.how = how;
      ctx_.facts().accesses.push_back(std::move(access));
    }
  }

  void handleMethodOnObject(const CXXMethodDecl& method, const Expr* object, bool viaPointer,
                            SourceLocation loc, const CallExpr* call) {
    const Expr* bare = object->IgnoreImpCasts();  // the object's own type, not a base's
    QualType objectType = viaPointer ? bare->getType()->getPointeeType() : bare->getType();
    llvm::StringRef name = method.getIdentifier() ? method.getName() : "";
    if (isSyncType(objectType) || isLockGuardType(objectType)) {
      bool lock = name == "lock" || name == "lock_shared" || name == "Lock" || name == "ReaderLock";
      bool unlock =
          name == "unlock" || name == "unlock_shared" || name == "Unlock" || name == "ReaderUnlock";
      const auto* ref = dyn_cast<DeclRefExpr>(object->IgnoreParenImpCasts());
      const auto* guard = ref ? dyn_cast<VarDecl>(ref->getDecl()) : nullptr;
      if (guard && isLockGuardType(objectType)) {  // lk.unlock() / lk.lock() on a guard
        if (lock) heldGuards_.insert(guard);
        if (unlock) heldGuards_.erase(guard);
      } else if (lock) {
        ++manualLocks_;
      } else if (unlock && manualLocks_ > 0) {
        --manualLocks_;
      }
      return;
    }
    if (isRngType(objectType) && name == "seed") {
      const Expr* arg = nullptr;
      if (const auto* member = dyn_cast<CXXMemberCallExpr>(call); member && member->getNumArgs())
        arg = member->getArg(0);
      for (const Base& base : storage_.bases(object, viaPointer))
        events_.add(EventKind::RngSeed, loc, "seed", &base, seedSource(arg, ctx_.ast()));
    }
    if (isDescriptorType(objectType) && name == "open") {
      for (const Base& base : storage_.bases(object, viaPointer))
        events_.add(EventKind::DescriptorOpen, loc, recordName(objectType) + "::open", &base);
    }
    if (method.isConst()) return;
    if (!ctx_.isInSystemHeader(&method)) {
      for (const Base& base : storage_.bases(object, viaPointer)) {
        if (base.kind != BaseKind::Variable && base.kind != BaseKind::This) continue;
        EventFact store;
        store.kind = EventKind::DescriptorStore;
        store.function = fnId_;
        store.loc = ctx_.location(loc);
        store.hasTarget = true;
        store.target = base;
        store.callees.push_back(ctx_.functionId(&method));
        ctx_.facts().events.push_back(std::move(store));
      }
    }
    if (hasConstOverload(&method)) return;  // a read unless the result is modified
    bool atomic =
        isAtomicType(objectType) || isAtomicType(QualType(method.getParent()->getTypeForDecl(), 0));
    std::string how = method.getOverloadedOperator() == OO_Equal
                          ? std::string("assigned")
                          : "modified by " + describeCall(&method);
    if (ctx_.isInSystemHeader(&method)) {
      bool handle = !isStdRecord(method.getParent()) && method.getOverloadedOperator() != OO_Equal;
      markWrite(object, viaPointer, how, loc, atomic, !handle);
      return;
    }
    // A member function of the program: a write only if it modifies *this (the Model decides).
    for (const Base& found : storage_.bases(object, viaPointer)) {
      std::optional<Base> base = storage_.asTracked(found);
      if (!base) continue;
      BindingFact binding;
      binding.function = fnId_;
      binding.base = *base;
      binding.callee = ctx_.functionId(&method);
      binding.calleeName = ctx_.functionName(&method);
      binding.param = kThisParam;
      binding.loc = ctx_.location(loc);
      binding.locked = locked();
      binding.atomic = atomic;
      ctx_.facts().bindings.push_back(std::move(binding));
    }
  }

  void bindArguments(const FunctionDecl* callee, const FunctionProtoType* proto,
                     llvm::ArrayRef<const Expr*> args) {
    if (callee && (isPassThroughFunction(*callee) || isNonMutatingStdFunction(*callee))) return;
    bool opaque = !callee || ctx_.isInSystemHeader(callee);
    for (unsigned i = 0; i < args.size(); ++i) {
      QualType paramType;
      if (callee && i < callee->getNumParams())
        paramType = callee->getParamDecl(i)->getType();
      else if (proto && i < proto->getNumParams())
        paramType = proto->getParamType(i);
      bool viaPointer;
      if (!paramType.isNull()) {
        if (isNonConstLValueRef(paramType))
          viaPointer = false;
        else if (isPointerToNonConst(paramType))
          viaPointer = true;
        else
          continue;
      } else if (opaque && isPointerToNonConst(args[i]->IgnoreImpCasts()->getType()) &&
                 isa<UnaryOperator>(args[i]->IgnoreParenImpCasts())) {
        viaPointer = true;  // &x passed to a variadic function such as sscanf
      } else {
        continue;
      }
      const Expr* arg = args[i];
      QualType argType = arg->getType();
      bool atomic = isAtomicType(viaPointer && argType->isPointerType() ? argType->getPointeeType()
                                                                        : argType);
      if (opaque) {
        std::string how = "passed to " + (callee ? describeCall(callee) : std::string("a call")) +
                          (viaPointer ? " by pointer" : " by non-const reference");
        markWrite(arg, viaPointer, how, arg->getExprLoc(), atomic, !isLibraryHandle(argType));
        continue;
      }
      for (const Base& found : storage_.bases(arg, viaPointer)) {
        std::optional<Base> base = storage_.asTracked(found);
        if (!base) continue;
        BindingFact binding;
        binding.function = fnId_;
        binding.base = *base;
        binding.callee = ctx_.functionId(callee);
        binding.calleeName = ctx_.functionName(callee);
        binding.param = i;
        binding.loc = ctx_.location(arg->getExprLoc());
        binding.locked = locked();
        binding.atomic = atomic;
        ctx_.facts().bindings.push_back(std::move(binding));
      }
    }
  }

  // std::sort(g.begin(), g.end()) modifies g through iterators it takes by value.
  void markIteratorWrites(const FunctionDecl& callee, llvm::ArrayRef<const Expr*> args) {
    int which = mutatedIteratorArgument(callee, static_cast<unsigned>(args.size()));
    if (which < 0) return;
    for (unsigned i = 0; i < args.size(); ++i) {
      if (which != kAllIteratorArgs && static_cast<int>(i) != which) continue;
      const auto* call = dyn_cast<CallExpr>(strip(args[i]->IgnoreImplicit()));
      const FunctionDecl* fn = call ? call->getDirectCallee() : nullptr;
      if (!fn || !fn->getIdentifier()) continue;
      llvm::StringRef name = fn->getName();
      if (name != "begin" && name != "end" && name != "rbegin" && name != "rend" &&
          name != "data" && name != "back_inserter" && name != "inserter")
        continue;
      const Expr* container = nullptr;
      if (const auto* member = dyn_cast<CXXMemberCallExpr>(call))
        container = member->getImplicitObjectArgument();
      else if (call->getNumArgs() > 0)
        container = call->getArg(0);  // std::begin(c), std::back_inserter(c)
      if (container)
        markWrite(container, false, "modified through iterators by " + describeCall(&callee),
                  args[i]->getExprLoc(), false);
    }
  }

  // pthread locks count toward the lock context; the other C APIs that act through their
  // arguments are pre-fork events.
  void apiCall(const FunctionDecl& fn, const CallExpr* call) {
    if (!fn.getIdentifier()) return;
    llvm::StringRef name = fn.getName();
    if (name == "pthread_mutex_lock" || name == "pthread_rwlock_rdlock" ||
        name == "pthread_rwlock_wrlock" || name == "pthread_spin_lock") {
      ++manualLocks_;
    } else if ((name == "pthread_mutex_unlock" || name == "pthread_rwlock_unlock" ||
                name == "pthread_spin_unlock") &&
               manualLocks_ > 0) {
      --manualLocks_;
    } else {
      events_.apiCall(fn, call);
    }
  }

  CollectorContext& ctx_;
  std::string fnId_;
  const FunctionDecl* fn_;
  bool inFramework_ = false;  // fn_ is defined in a framework's own header
  std::vector<std::vector<const VarDecl*>> scopeGuards_{{}};
  llvm::DenseSet<const VarDecl*> heldGuards_;  // lock guards that hold their mutex right now
  int manualLocks_ = 0;                        // m.lock() without m.unlock() so far
  StorageResolver storage_;
  PreforkEvents events_;  // after fnId_ and storage_, which it refers to
  llvm::DenseMap<const VarDecl*, const LambdaExpr*> lambdaVars_;
  llvm::DenseSet<const VarDecl*> rangeLoopVars_;
  llvm::DenseSet<const LambdaExpr*> storedLambdas_;
  llvm::DenseSet<const LambdaExpr*> invokedLambdas_;
  llvm::DenseSet<const DeclRefExpr*> calleeRefs_;
  llvm::DenseMap<const Expr*, EdgeKind> callableArgs_;
};

}  // namespace

void analyzeFunctionBody(CollectorContext& ctx, const clang::FunctionDecl& fn) {
  BodyAnalyzer analyzer(ctx, ctx.functionId(&fn), &fn);
  if (const auto* ctor = llvm::dyn_cast<clang::CXXConstructorDecl>(&fn))
    analyzer.analyzeConstructorInits(*ctor);
  analyzer.TraverseStmt(fn.getBody());
}

void analyzeStaticInitializer(CollectorContext& ctx, const clang::VarDecl& var,
                              const std::string& initId) {
  const VariableFact* fact = ctx.variable(&var);
  if (!fact || !var.getInit()) return;
  std::string varId = fact->id;
  BodyAnalyzer analyzer(ctx, initId, nullptr);
  analyzer.TraverseStmt(const_cast<clang::Expr*>(var.getInit()));
  analyzer.analyzeInitializerStore(var.getInit(), varId);
}

}  // namespace forksafe
