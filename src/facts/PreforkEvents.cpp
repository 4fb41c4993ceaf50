// Records the pre-fork events of one function body (threads started, descriptors opened, pids
// captured, engines seeded, stored into which storage) and where pointer-like statics are aimed.
#include "facts/PreforkEvents.h"

#include "facts/TypeClassify.h"
#include "facts/ValueOrigin.h"

namespace forksafe {

using namespace clang;

namespace {

// A call of a named free function (`socket(...)`, not `obj.open()`).
const FunctionDecl* plainFunction(const CallExpr* call) {
  const FunctionDecl* fn = call->getDirectCallee();
  if (!fn || isa<CXXMethodDecl>(fn) || !fn->getIdentifier()) return nullptr;
  return fn;
}

}  // namespace

void PreforkEvents::add(EventKind kind, SourceLocation loc, std::string api, const Base* target,
                        std::string seed) {
  EventFact event;
  event.kind = kind;
  event.seed = std::move(seed);
  event.function = fnId_;
  event.loc = ctx_.location(loc);
  event.api = std::move(api);
  if (target) {
    event.hasTarget = true;
    event.target = *target;
  }
  ctx_.facts().events.push_back(std::move(event));
}

void PreforkEvents::apiCall(const FunctionDecl& fn, const CallExpr* call) {
  if (!fn.getIdentifier()) return;
  llvm::StringRef name = fn.getName();
  SourceLocation loc = call->getBeginLoc();
  if (isThreadStartFunction(name)) {
    std::vector<Base> targets;
    if (call->getNumArgs() > 0) targets = storage_.bases(call->getArg(0), true);
    if (targets.empty()) add(EventKind::ThreadStart, loc, name.str(), nullptr);
    for (const Base& base : targets) add(EventKind::ThreadStart, loc, name.str(), &base);
  } else if (isSeedFunction(name)) {
    add(EventKind::RngSeed, loc, name.str(), nullptr,
        seedSource(call->getNumArgs() ? call->getArg(0) : nullptr, ctx_.ast()));
  } else if (name == "fork" || name == "daemon") {
    add(EventKind::Fork, loc, name.str(), nullptr);
  } else if (int out; isDescriptorFunction(name, out) && out >= 0 &&
                      static_cast<unsigned>(out) < call->getNumArgs()) {
    for (const Base& base : storage_.bases(call->getArg(out), true))
      add(EventKind::DescriptorOpen, loc, name.str(), &base);
  }
}

std::string PreforkEvents::directOpener(const Expr* e) const {
  e = strip(e->IgnoreImplicit());
  if (const auto* call = dyn_cast<CallExpr>(e)) {
    int out;
    if (const FunctionDecl* fn = plainFunction(call);
        fn && isDescriptorFunction(fn->getName(), out) && out < 0)
      return fn->getName().str();
  }
  if (const auto* ref = dyn_cast<DeclRefExpr>(e)) {
    if (const auto* var = dyn_cast<VarDecl>(ref->getDecl())) {
      auto it = localOpeners_.find(var);
      if (it != localOpeners_.end()) return it->second;
    }
  }
  return "";
}

void PreforkEvents::store(const Expr* value, const Base& target) {
  if (target.kind == BaseKind::Parameter || target.kind == BaseKind::ReturnOf) return;
  if (target.kind == BaseKind::Variable && !target.pointee) recordAim(value, target.id);
  std::vector<std::string> callees;
  scanStore(value, target, callees);
  if (!callees.empty()) {
    EventFact store;
    store.kind = EventKind::DescriptorStore;
    store.function = fnId_;
    store.loc = ctx_.location(value->getBeginLoc());
    store.hasTarget = true;
    store.target = target;
    store.callees = std::move(callees);
    ctx_.facts().events.push_back(std::move(store));
  }
  // Storing into an engine (constructing or assigning it) seeds it.
  if (target.kind == BaseKind::Variable) {
    const VariableFact* var = ctx_.variableById(target.id);
    if (var && var->containsRng && !var->isThreadLocal)
      add(EventKind::RngSeed, value->getBeginLoc(), "construction", &target,
          seedSource(value, ctx_.ast()));
  }
}

void PreforkEvents::recordAim(const Expr* value, const std::string& pointerId) {
  const VariableFact* var = ctx_.variableById(pointerId);
  if (!var || !(var->isPointer || var->isReference || var->isSmartPointer)) return;
  if (const auto* list = dyn_cast<InitListExpr>(strip(value))) {  // an array of pointers
    for (const Expr* element : list->inits()) recordAim(element, pointerId);
    return;
  }
  if (isa<ImplicitValueInitExpr>(value) ||
      value->isNullPointerConstant(ctx_.ast(), Expr::NPC_ValueDependentIsNotNull))
    return;
  PointsToFact aim;
  aim.function = fnId_;
  aim.pointer = pointerId;
  aim.loc = ctx_.location(value->getBeginLoc());
  const auto* call = dyn_cast<CallExpr>(strip(value->IgnoreParenCasts()));
  const FunctionDecl* fn = call ? plainFunction(call) : nullptr;
  if (fn && isSharedMemoryFunction(fn->getName()) && mapsSharedMemory(*call, ctx_.ast())) {
    aim.kind = AimKind::SharedMemory;
    aim.api = fn->getName().str();
    ctx_.facts().pointsTo.push_back(std::move(aim));
    return;
  }
  std::vector<Base> aimed;
  if (var->isReference || var->isPointer) aimed = storage_.bases(value, var->isPointer);
  if (aimed.empty()) {
    ctx_.facts().pointsTo.push_back(std::move(aim));  // AimKind::Other: the heap, a handle...
    return;
  }
  for (const Base& base : aimed) {
    PointsToFact one = aim;
    one.kind = AimKind::Static;
    one.target = base;
    ctx_.facts().pointsTo.push_back(std::move(one));
  }
}

void PreforkEvents::scanStore(const Stmt* s, const Base& target,
                              std::vector<std::string>& callees) {
  if (!s || isa<LambdaExpr>(s)) return;
  if (const auto* call = dyn_cast<CallExpr>(s)) {
    if (const FunctionDecl* fn = plainFunction(call)) {
      int out;
      if (isDescriptorFunction(fn->getName(), out) && out < 0)
        add(EventKind::DescriptorOpen, call->getBeginLoc(), fn->getName().str(), &target);
      if (isPidFunction(fn->getName()))
        add(EventKind::PidCapture, call->getBeginLoc(), fn->getName().str(), &target);
    }
    if (const FunctionDecl* fn = call->getDirectCallee(); fn && !ctx_.isInSystemHeader(fn))
      callees.push_back(ctx_.functionId(fn));
  } else if (const auto* construct = dyn_cast<CXXConstructExpr>(s)) {
    const CXXConstructorDecl* ctor = construct->getConstructor();
    bool copies = ctor && ctor->isCopyOrMoveConstructor();
    if (!copies && construct->getNumArgs() > 0) {
      if (isThreadType(construct->getType()))
        add(EventKind::ThreadStart, construct->getBeginLoc(), recordName(construct->getType()),
            &target);
      if (isDescriptorType(construct->getType()))
        add(EventKind::DescriptorOpen, construct->getBeginLoc(), recordName(construct->getType()),
            &target);
    }
    if (ctor && !copies && !ctx_.isInSystemHeader(ctor)) callees.push_back(ctx_.functionId(ctor));
  } else if (const auto* ref = dyn_cast<DeclRefExpr>(s)) {
    if (const auto* var = dyn_cast<VarDecl>(ref->getDecl())) {
      auto it = localOpeners_.find(var);
      if (it != localOpeners_.end())
        add(EventKind::DescriptorOpen, ref->getBeginLoc(), it->second, &target);
    }
  }
  for (const Stmt* child : s->children()) scanStore(child, target, callees);
}

}  // namespace forksafe
