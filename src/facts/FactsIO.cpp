// TUFacts <-> JSON. Compact: every record is an array of fields in a fixed order, so the files
// stay small without a hand-written binary format; a version number guards the layout.
#include "facts/FactsIO.h"

namespace forksafe {
namespace {

using llvm::json::Array;
using llvm::json::Object;
using llvm::json::Value;

Value loc(const Location& l) { return Array{l.file, l.line, l.column}; }
Value base(const Base& b) {
  return Array{static_cast<int>(b.kind), b.id, static_cast<int64_t>(b.param), b.pointee};
}

const Value kNull(nullptr);

Value fixSite(const FixSite& s) {
  return Array{s.nolint,         s.lineEnd,        s.editable,   s.declBegin, s.includeAt,
               s.perWorkerMacro, s.includesAtomic, s.atomicType, s.typeBegin, s.typeEnd};
}

// Reads fields of one record in order; any mismatch marks the reader failed.
class Fields {
 public:
  explicit Fields(const Value& v) : array_(v.getAsArray()) { ok_ = array_ != nullptr; }
  bool ok() const { return ok_; }
  std::string str() {
    const Value* v = next();
    auto s = v ? v->getAsString() : std::nullopt;
    if (!s) ok_ = false;
    return s ? s->str() : std::string();
  }
  int64_t num() {
    const Value* v = next();
    auto n = v ? v->getAsInteger() : std::nullopt;
    if (!n) ok_ = false;
    return n ? *n : 0;
  }
  bool flag() {
    const Value* v = next();
    auto b = v ? v->getAsBoolean() : std::nullopt;
    if (!b) ok_ = false;
    return b.value_or(false);
  }
  Location location() {
    const Value* v = next();
    Fields f(v ? *v : kNull);
    Location l{f.str(), static_cast<unsigned>(f.num()), static_cast<unsigned>(f.num())};
    ok_ &= f.ok();
    return l;
  }
  Base baseValue() {
    const Value* v = next();
    Fields f(v ? *v : kNull);
    Base b;
    b.kind = static_cast<BaseKind>(f.num());
    b.id = f.str();
    b.param = static_cast<unsigned>(f.num());
    b.pointee = f.flag();
    ok_ &= f.ok() && static_cast<int>(b.kind) >= 0 && static_cast<int>(b.kind) <= 4;
    return b;
  }
  FixSite fixSite() {
    const Value* v = next();
    Fields f(v ? *v : kNull);
    FixSite s;
    s.nolint = f.flag();
    s.lineEnd = static_cast<unsigned>(f.num());
    s.editable = f.flag();
    s.declBegin = static_cast<unsigned>(f.num());
    s.includeAt = static_cast<unsigned>(f.num());
    s.perWorkerMacro = f.flag();
    s.includesAtomic = f.flag();
    s.atomicType = f.str();
    s.typeBegin = static_cast<unsigned>(f.num());
    s.typeEnd = static_cast<unsigned>(f.num());
    ok_ &= f.ok() && s.typeBegin <= s.typeEnd;
    return s;
  }
  std::vector<std::string> strings() {
    const Value* v = next();
    std::vector<std::string> out;
    const Array* a = v ? v->getAsArray() : nullptr;
    if (!a) {
      ok_ = false;
      return out;
    }
    for (const Value& item : *a) {
      auto s = item.getAsString();
      if (!s)
        ok_ = false;
      else
        out.push_back(s->str());
    }
    return out;
  }

 private:
  const Value* next() {
    if (!array_ || index_ >= array_->size()) {
      ok_ = false;
      return nullptr;
    }
    return &(*array_)[index_++];
  }
  const Array* array_;
  size_t index_ = 0;
  bool ok_ = true;
};

template <typename T, typename F>
Array arrayOf(const std::vector<T>& items, F toValue) {
  Array out;
  out.reserve(items.size());
  for (const T& item : items) out.push_back(toValue(item));
  return out;
}

template <typename T, typename F>
bool readArray(const Object& obj, llvm::StringRef key, std::vector<T>& out, F fromFields) {
  const Array* a = obj.getArray(key);
  if (!a) return false;
  for (const Value& v : *a) {
    Fields f(v);
    T item = fromFields(f);
    if (!f.ok()) return false;
    out.push_back(std::move(item));
  }
  return true;
}

}  // namespace

Value factsToJson(const TUFacts& facts) {
  Object o;
  o["version"] = kFactsVersion;
  o["mainFile"] = facts.mainFile;
  o["hasHandlerRoots"] = facts.hasHandlerRoots;
  o["handlerPatterns"] = facts.handlerPatterns;
  o["systemHeaders"] = arrayOf(facts.systemHeaders, [](const std::string& f) { return Value(f); });
  o["preforkHint"] = facts.preforkHint;
  o["frameworks"] = arrayOf(facts.frameworks, [](const std::string& f) { return Value(f); });
  o["functions"] = arrayOf(facts.functions, [](const FunctionFact& f) {
    return Array{f.id,           f.name,      loc(f.loc), static_cast<int>(f.root),
                 f.isStaticInit, f.signature, f.library,  f.display,
                 f.framework};
  });
  o["indirectCalls"] = arrayOf(facts.indirectCalls, [](const IndirectCallFact& c) {
    return Array{c.caller, c.signature, loc(c.loc), c.locked};
  });
  o["addressTaken"] = arrayOf(facts.addressTaken, [](const std::string& f) { return Value(f); });
  o["calls"] = arrayOf(facts.calls, [](const CallFact& c) {
    return Array{c.caller, c.callee, static_cast<int>(c.kind), loc(c.loc), c.locked};
  });
  o["overrides"] =
      arrayOf(facts.overrides, [](const OverrideFact& f) { return Array{f.method, f.overridden}; });
  o["variables"] = arrayOf(facts.variables, [](const VariableFact& v) {
    return Array{
        v.id,          v.name,          v.mangled,        loc(v.loc),    v.enclosingFunction,
        v.isConst,     v.isThreadLocal, v.isAtomic,       v.isSync,      v.isRng,
        v.containsRng, v.isPerWorker,   v.isStaticMember, v.isPointer,   v.isDefinition,
        v.library,     v.isReference,   v.isSmartPointer, v.pointeeSync, v.pointeeRng,
        v.sharedType,  fixSite(v.fix)};
  });
  o["accesses"] = arrayOf(facts.accesses, [](const AccessFact& a) {
    return Array{a.function, base(a.base), static_cast<int>(a.kind), loc(a.loc), a.locked,
                 a.atomic,   a.how};
  });
  o["bindings"] = arrayOf(facts.bindings, [](const BindingFact& b) {
    return Array{b.function, base(b.base), b.callee, b.calleeName, static_cast<int64_t>(b.param),
                 loc(b.loc), b.locked,     b.atomic};
  });
  o["returns"] =
      arrayOf(facts.returns, [](const ReturnFact& r) { return Array{r.function, base(r.base)}; });
  o["events"] = arrayOf(facts.events, [](const EventFact& e) {
    Array callees;
    for (const std::string& c : e.callees) callees.push_back(c);
    return Array{static_cast<int>(e.kind), e.function,         loc(e.loc), e.api, e.hasTarget,
                 base(e.target),           std::move(callees), e.seed};
  });
  o["pointsTo"] = arrayOf(facts.pointsTo, [](const PointsToFact& p) {
    return Array{p.function,     p.pointer,  static_cast<int>(p.kind),
                 base(p.target), loc(p.loc), p.api};
  });
  return o;
}

llvm::Expected<TUFacts> factsFromJson(const Value& value) {
  auto fail = [](const char* what) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   std::string("malformed facts: ") + what);
  };
  const Object* o = value.getAsObject();
  if (!o) return fail("not an object");
  if (o->getInteger("version") != kFactsVersion) return fail("unsupported version");
  TUFacts facts;
  facts.mainFile = o->getString("mainFile").value_or("").str();
  facts.hasHandlerRoots = o->getBoolean("hasHandlerRoots").value_or(false);
  facts.handlerPatterns = o->getBoolean("handlerPatterns").value_or(false);
  facts.preforkHint = o->getString("preforkHint").value_or("").str();
  if (const llvm::json::Array* list = o->getArray("frameworks"))
    for (const Value& v : *list)
      if (auto s = v.getAsString()) facts.frameworks.push_back(s->str());
  bool ok = readArray(*o, "functions", facts.functions,
                      [](Fields& f) {
                        FunctionFact x;
                        x.id = f.str();
                        x.name = f.str();
                        x.loc = f.location();
                        int64_t root = f.num();
                        x.root = static_cast<RootKind>(root >= 0 && root <= 6 ? root : 0);
                        x.isStaticInit = f.flag();
                        x.signature = f.str();
                        x.library = f.flag();
                        x.display = f.str();
                        x.framework = f.str();
                        return x;
                      }) &&
            readArray(*o, "indirectCalls", facts.indirectCalls,
                      [](Fields& f) {
                        IndirectCallFact x;
                        x.caller = f.str();
                        x.signature = f.str();
                        x.loc = f.location();
                        x.locked = f.flag();
                        return x;
                      }) &&
            readArray(*o, "calls", facts.calls,
                      [](Fields& f) {
                        CallFact x;
                        x.caller = f.str();
                        x.callee = f.str();
                        int64_t kind = f.num();
                        x.kind = static_cast<EdgeKind>(kind >= 0 && kind <= 3 ? kind : 0);
                        x.loc = f.location();
                        x.locked = f.flag();
                        return x;
                      }) &&
            readArray(*o, "overrides", facts.overrides,
                      [](Fields& f) {
                        OverrideFact x;
                        x.method = f.str();
                        x.overridden = f.str();
                        return x;
                      }) &&
            readArray(*o, "variables", facts.variables,
                      [](Fields& f) {
                        VariableFact x;
                        x.id = f.str();
                        x.name = f.str();
                        x.mangled = f.str();
                        x.loc = f.location();
                        x.enclosingFunction = f.str();
                        x.isConst = f.flag();
                        x.isThreadLocal = f.flag();
                        x.isAtomic = f.flag();
                        x.isSync = f.flag();
                        x.isRng = f.flag();
                        x.containsRng = f.flag();
                        x.isPerWorker = f.flag();
                        x.isStaticMember = f.flag();
                        x.isPointer = f.flag();
                        x.isDefinition = f.flag();
                        x.library = f.flag();
                        x.isReference = f.flag();
                        x.isSmartPointer = f.flag();
                        x.pointeeSync = f.flag();
                        x.pointeeRng = f.flag();
                        x.sharedType = f.str();
                        x.fix = f.fixSite();
                        return x;
                      }) &&
            readArray(*o, "accesses", facts.accesses,
                      [](Fields& f) {
                        AccessFact x;
                        x.function = f.str();
                        x.base = f.baseValue();
                        x.kind = f.num() == 1 ? AccessKind::Write : AccessKind::Read;
                        x.loc = f.location();
                        x.locked = f.flag();
                        x.atomic = f.flag();
                        x.how = f.str();
                        return x;
                      }) &&
            readArray(*o, "bindings", facts.bindings,
                      [](Fields& f) {
                        BindingFact x;
                        x.function = f.str();
                        x.base = f.baseValue();
                        x.callee = f.str();
                        x.calleeName = f.str();
                        x.param = static_cast<unsigned>(f.num());
                        x.loc = f.location();
                        x.locked = f.flag();
                        x.atomic = f.flag();
                        return x;
                      }) &&
            readArray(*o, "returns", facts.returns,
                      [](Fields& f) {
                        ReturnFact x;
                        x.function = f.str();
                        x.base = f.baseValue();
                        return x;
                      }) &&
            readArray(*o, "events", facts.events,
                      [](Fields& f) {
                        EventFact x;
                        int64_t kind = f.num();
                        x.kind = static_cast<EventKind>(kind >= 0 && kind <= 5 ? kind : 0);
                        x.function = f.str();
                        x.loc = f.location();
                        x.api = f.str();
                        x.hasTarget = f.flag();
                        x.target = f.baseValue();
                        x.callees = f.strings();
                        x.seed = f.str();
                        return x;
                      }) &&
            readArray(*o, "pointsTo", facts.pointsTo, [](Fields& f) {
              PointsToFact x;
              x.function = f.str();
              x.pointer = f.str();
              int64_t kind = f.num();
              x.kind = static_cast<AimKind>(kind >= 0 && kind <= 2 ? kind : 2);
              x.target = f.baseValue();
              x.loc = f.location();
              x.api = f.str();
              return x;
            });
  if (const Array* headers = o->getArray("systemHeaders")) {
    for (const Value& v : *headers) {
      auto s = v.getAsString();
      if (!s) return fail("bad systemHeaders");
      facts.systemHeaders.push_back(s->str());
    }
  } else {
    ok = false;
  }
  if (const Array* taken = o->getArray("addressTaken")) {
    for (const Value& v : *taken) {
      auto s = v.getAsString();
      if (!s) return fail("bad addressTaken");
      facts.addressTaken.push_back(s->str());
    }
  } else {
    ok = false;
  }
  if (!ok) return fail("bad record");
  return facts;
}

}  // namespace forksafe
