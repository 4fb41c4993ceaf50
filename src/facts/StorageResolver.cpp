// Which storage an expression designates: the write-resolution half of the body analysis.
#include "facts/StorageResolver.h"

#include "facts/TypeClassify.h"

namespace forksafe {

using namespace clang;

const Expr* strip(const Expr* e) {
  while (true) {
    const Expr* next = e->IgnoreParens();
    if (const auto* m = dyn_cast<MaterializeTemporaryExpr>(next)) next = m->getSubExpr();
    if (const auto* b = dyn_cast<CXXBindTemporaryExpr>(next)) next = b->getSubExpr();
    if (const auto* c = dyn_cast<FullExpr>(next)) next = c->getSubExpr();
    if (next == e) return e;
    e = next;
  }
}

bool isNonConstLValueRef(QualType t) {
  return t->isReferenceType() && !t.getNonReferenceType().isConstQualified();
}

bool isPointerToNonConst(QualType t) {
  return t->isPointerType() && !t->getPointeeType().isConstQualified() &&
         !t->getPointeeType()->isFunctionType();
}

namespace {
// What the storage in `from` points to: each base becomes its pointee.
void addPointees(std::vector<Base>& from, std::vector<Base>& out) {
  for (Base& b : from) {
    b.pointee = true;
    out.push_back(std::move(b));
  }
}
}  // namespace

// Inside a member function, storage of *this is the implicit object parameter.
std::optional<Base> StorageResolver::asTracked(const Base& base) const {
  if (base.kind == BaseKind::Variable || base.kind == BaseKind::Parameter ||
      base.kind == BaseKind::ReturnOf)
    return base;
  const auto* method = dyn_cast_or_null<CXXMethodDecl>(fn_);
  if (base.kind == BaseKind::This && method && method->isInstance() &&
      !method->getParent()->isLambda())
    return Base{BaseKind::Parameter, "", kThisParam, base.pointee};
  return std::nullopt;
}

std::vector<Base> StorageResolver::bases(const Expr* e, bool viaPointer) {
  std::vector<Base> out;
  findBases(e, viaPointer, out, 0);
  return out;
}

// Which storage does the lvalue `e` designate (or, with viaPointer, the object `e` points to)?
void StorageResolver::findBases(const Expr* e, bool viaPointer, std::vector<Base>& out, int depth) {
  if (!e || depth > 32) return;
  e = strip(e);
  if (const auto* cast = dyn_cast<CastExpr>(e)) {
    switch (cast->getCastKind()) {
      case CK_ArrayToPointerDecay:
        if (viaPointer) findBases(cast->getSubExpr(), false, out, depth + 1);
        return;
      case CK_LValueToRValue:
        if (viaPointer) findBases(cast->getSubExpr(), true, out, depth + 1);
        return;
      case CK_NoOp:
      case CK_DerivedToBase:
      case CK_UncheckedDerivedToBase:
      case CK_BaseToDerived:
      case CK_BitCast:
      case CK_LValueBitCast:
      case CK_ConstructorConversion:
      case CK_UserDefinedConversion:
        findBases(cast->getSubExpr(), viaPointer, out, depth + 1);
        return;
      default:
        return;
    }
  }
  if (const auto* ref = dyn_cast<DeclRefExpr>(e)) {
    findDeclBases(ref->getDecl(), viaPointer, out, depth);
    return;
  }
  if (const auto* member = dyn_cast<MemberExpr>(e)) {
    if (const auto* var = dyn_cast<VarDecl>(member->getMemberDecl())) {
      findDeclBases(var, viaPointer, out, depth);
      return;
    }
    // With viaPointer on a pointer field: the object the field points to, which is reached
    // from (and so copied with) the object that holds the field.
    bool pointeeOfField = viaPointer && member->getType()->isPointerType();
    std::vector<Base> holder;
    if (isa<CXXThisExpr>(member->getBase()->IgnoreParenImpCasts()))
      holder.push_back(Base{BaseKind::This, "", 0});
    else
      findBases(member->getBase(), member->isArrow(), holder, depth + 1);
    if (pointeeOfField)
      addPointees(holder, out);
    else
      out.insert(out.end(), holder.begin(), holder.end());
    return;
  }
  if (const auto* sub = dyn_cast<ArraySubscriptExpr>(e)) {
    if (viaPointer && sub->getType()->isPointerType()) {  // what an element points to
      std::vector<Base> holder;
      findBases(sub->getBase(), true, holder, depth + 1);
      addPointees(holder, out);
      return;
    }
    findBases(sub->getBase(), true, out, depth + 1);
    return;
  }
  if (const auto* unary = dyn_cast<UnaryOperator>(e)) {
    switch (unary->getOpcode()) {
      case UO_Deref:
        if (!viaPointer || !unary->getType()->isPointerType()) {
          findBases(unary->getSubExpr(), true, out, depth + 1);
        } else {  // **pp: what the pointed-to pointer points to
          std::vector<Base> holder;
          findBases(unary->getSubExpr(), true, holder, depth + 1);
          addPointees(holder, out);
        }
        return;
      case UO_AddrOf:
        if (viaPointer) findBases(unary->getSubExpr(), false, out, depth + 1);
        return;
      case UO_PreInc:
      case UO_PreDec:
      case UO_PostInc:
      case UO_PostDec:
        if (viaPointer) findBases(unary->getSubExpr(), true, out, depth + 1);
        return;
      default:
        return;
    }
  }
  if (const auto* bin = dyn_cast<BinaryOperator>(e)) {
    if (bin->getOpcode() == BO_Comma) {
      findBases(bin->getRHS(), viaPointer, out, depth + 1);
    } else if (bin->isAssignmentOp()) {
      findBases(bin->getLHS(), viaPointer, out, depth + 1);
    } else if (viaPointer && (bin->getOpcode() == BO_Add || bin->getOpcode() == BO_Sub)) {
      const Expr* ptr = bin->getLHS()->getType()->isPointerType() ? bin->getLHS() : bin->getRHS();
      findBases(ptr, true, out, depth + 1);
    }
    return;
  }
  if (const auto* cond = dyn_cast<AbstractConditionalOperator>(e)) {
    findBases(cond->getTrueExpr(), viaPointer, out, depth + 1);
    findBases(cond->getFalseExpr(), viaPointer, out, depth + 1);
    return;
  }
  if (isa<CXXThisExpr>(e)) {
    if (viaPointer) out.push_back(Base{BaseKind::This, "", 0});
    return;
  }
  if (const auto* call = dyn_cast<CallExpr>(e)) findCallBases(call, viaPointer, out, depth);
}

void StorageResolver::findDeclBases(const ValueDecl* decl, bool viaPointer, std::vector<Base>& out,
                                    int depth) {
  if (const auto* binding = dyn_cast<BindingDecl>(decl)) {
    if (const ValueDecl* whole = binding->getDecomposedDecl())
      findDeclBases(whole, viaPointer, out, depth + 1);
    return;
  }
  const auto* var = dyn_cast<VarDecl>(decl);
  if (!var) return;
  if (var->hasGlobalStorage()) {
    const VariableFact* fact = ctx_.variable(var);
    if (!fact) return;
    // A reference designates its referent; through a pointer, the pointee. Either is state of
    // its own that the variable reaches (Base::pointee), not the variable.
    bool pointee =
        var->getType()->isReferenceType() || (viaPointer && !var->getType()->isArrayType());
    out.push_back(Base{BaseKind::Variable, fact->id, 0, pointee});
    return;
  }
  if (const auto* param = dyn_cast<ParmVarDecl>(var)) {
    QualType type = param->getType();
    bool viaRef = type->isReferenceType() && !viaPointer;
    bool viaPtr = type->isPointerType() && viaPointer;
    if ((viaRef || viaPtr) && fn_)
      out.push_back(Base{BaseKind::Parameter, "", param->getFunctionScopeIndex()});
    return;
  }
  if (auto it = refAliases.find(var); it != refAliases.end()) {
    findBases(it->second, viaPointer, out, depth + 1);
  } else if (auto ptr = ptrAliases.find(var); ptr != ptrAliases.end() && viaPointer) {
    findBases(ptr->second, true, out, depth + 1);
  } else if (auto iter = iterAliases.find(var); iter != iterAliases.end() && !viaPointer) {
    findBases(iter->second, false, out, depth + 1);
  }
}

void StorageResolver::findCallBases(const CallExpr* call, bool viaPointer, std::vector<Base>& out,
                                    int depth) {
  const FunctionDecl* callee = call->getDirectCallee();
  if (!callee) return;
  if (isPassThroughFunction(*callee)) {
    if (call->getNumArgs() > 0) findBases(call->getArg(0), viaPointer, out, depth + 1);
    return;
  }
  const auto* method = dyn_cast<CXXMethodDecl>(callee);
  const Expr* object = nullptr;
  bool objectViaPointer = false;
  if (const auto* member = dyn_cast<CXXMemberCallExpr>(call)) {
    object = member->getImplicitObjectArgument();
    if (const auto* me = dyn_cast<MemberExpr>(member->getCallee()->IgnoreParens()))
      objectViaPointer = me->isArrow();
  } else if (isa<CXXOperatorCallExpr>(call) && method) {
    object = call->getArg(0);
  }
  QualType ret = callee->getReturnType();
  if (method && object && !method->isStatic() && !method->getParent()->isLambda()) {
    OverloadedOperatorKind op = method->getOverloadedOperator();
    QualType objectType = object->IgnoreImpCasts()->getType();
    bool smart = isSmartPointerType(objectType) || isSmartPointerType(object->getType());
    bool deref = op == OO_Arrow || (op == OO_Star && method->getNumParams() == 0);
    if (deref || (smart && method->getIdentifier() && method->getName() == "get")) {
      // A smart pointer designates the object it owns; iterators and optionals their owner.
      if (!smart) {
        findBases(object, objectViaPointer, out, depth + 1);
      } else if (deref || viaPointer) {
        std::vector<Base> holder;
        findBases(object, objectViaPointer, holder, depth + 1);
        addPointees(holder, out);
      }
      return;
    }
    if (method->isConst()) return;
    if (viaPointer && ret->isReferenceType() && ret.getNonReferenceType()->isPointerType()) {
      std::vector<Base> holder;  // what a stored pointer points to: reached from its container
      findBases(object, objectViaPointer, holder, depth + 1);
      addPointees(holder, out);
      return;
    }
    if (!viaPointer && !ret->isReferenceType() && !ret->isRecordType()) return;
    findBases(object, objectViaPointer, out, depth + 1);
    return;
  }
  bool refToStorage = isNonConstLValueRef(ret) && !viaPointer;
  bool ptrToStorage = isPointerToNonConst(ret) && viaPointer;
  if ((refToStorage || ptrToStorage) && !ctx_.isInSystemHeader(callee))
    out.push_back(Base{BaseKind::ReturnOf, ctx_.functionId(callee), 0});
}

}  // namespace forksafe
