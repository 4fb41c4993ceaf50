// Merges per-TU facts; see Link.h.
#include "model/Link.h"

#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <unordered_map>

#include "facts/FactsIO.h"

namespace forksafe {
namespace {

std::string serialized(const TUFacts& tu) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << factsToJson(tu);
  return out;
}

// The units in a canonical order: by main file, then (the same file compiled twice) by content.
std::vector<const TUFacts*> canonicalOrder(const std::vector<const TUFacts*>& units) {
  std::vector<const TUFacts*> sorted = units;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const TUFacts* a, const TUFacts* b) { return a->mainFile < b->mainFile; });
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i + 1;
    while (j < sorted.size() && sorted[j]->mainFile == sorted[i]->mainFile) ++j;
    if (j - i > 1) {
      std::vector<std::pair<std::string, const TUFacts*>> keyed;
      for (size_t k = i; k < j; ++k) keyed.push_back({serialized(*sorted[k]), sorted[k]});
      std::stable_sort(keyed.begin(), keyed.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      for (size_t k = i; k < j; ++k) sorted[k] = keyed[k - i].second;
    }
    i = j;
  }
  return sorted;
}

std::string locKey(const Location& loc) {
  return loc.file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column);
}

// Functions defined at several places (different bodies under one id): each definition becomes
// a function of its own, "<id>@<file>:<line>:<column>". A unit refers to its own definition when it
// has one, and to every definition otherwise.
class Renamer {
 public:
  explicit Renamer(const std::vector<const TUFacts*>& units) : own_(units.size()) {
    std::map<std::string, std::set<std::string>> places;
    for (const TUFacts* tu : units)
      for (const FunctionFact& f : tu->functions) places[f.id].insert(locKey(f.loc));
    for (auto& [id, locs] : places) {
      if (locs.size() < 2) continue;
      std::vector<std::string>& variants = variants_[id];
      for (const std::string& l : locs) variants.push_back(id + "@" + l);
    }
    for (size_t u = 0; u < units.size(); ++u)
      for (const FunctionFact& f : units[u]->functions)
        if (variants_.count(f.id)) own_[u][f.id] = f.id + "@" + locKey(f.loc);
  }

  bool splits(const std::string& id) const { return variants_.count(id) != 0; }

  // The unit's own definition of `id` (or `id` itself when it is defined once).
  std::string own(size_t u, const std::string& id) const {
    auto it = own_[u].find(id);
    return it == own_[u].end() ? id : it->second;
  }

  // What a reference to `id` from unit `u` may mean.
  std::vector<std::string> targets(size_t u, const std::string& id) const {
    auto split = variants_.find(id);
    if (split == variants_.end()) return {id};
    auto mine = own_[u].find(id);
    if (mine != own_[u].end()) return {mine->second};
    return split->second;
  }

  std::vector<Base> bases(size_t u, const Base& base) const {
    if (base.kind != BaseKind::ReturnOf) return {base};
    std::vector<Base> out;
    for (const std::string& t : targets(u, base.id)) {
      Base b = base;
      b.id = t;
      out.push_back(std::move(b));
    }
    return out;
  }

 private:
  std::map<std::string, std::vector<std::string>> variants_;
  std::vector<std::unordered_map<std::string, std::string>> own_;
};

}  // namespace

TUFacts linkFacts(const std::vector<const TUFacts*>& input) {
  std::vector<const TUFacts*> units = canonicalOrder(input);
  Renamer names(units);
  TUFacts program;
  std::unordered_map<std::string, size_t> owner;  // function id -> unit that contributes its body
  std::unordered_map<std::string, size_t> functionAt, variableAt;
  std::set<std::string> systemHeaders;
  std::set<std::string> frameworks;
  for (size_t u = 0; u < units.size(); ++u) {
    const TUFacts& tu = *units[u];
    if (program.mainFile.empty()) program.mainFile = tu.mainFile;
    program.hasHandlerRoots |= tu.hasHandlerRoots;
    program.handlerPatterns |= tu.handlerPatterns;
    systemHeaders.insert(tu.systemHeaders.begin(), tu.systemHeaders.end());
    frameworks.insert(tu.frameworks.begin(), tu.frameworks.end());
    for (const FunctionFact& original : tu.functions) {
      FunctionFact f = original;
      f.id = names.own(u, f.id);
      auto [it, inserted] = functionAt.try_emplace(f.id, program.functions.size());
      if (inserted) {
        owner[f.id] = u;
        f.unit = tu.mainFile;
        program.functions.push_back(std::move(f));
      } else if (FunctionFact& known = program.functions[it->second];
                 known.root == RootKind::None) {
        known.root = f.root;  // a role given by another TU's call site
        known.display = f.display;
        known.framework = f.framework;
      } else if (known.root == f.root && !f.display.empty() &&
                 (known.display.empty() || f.display < known.display)) {
        known.display = f.display;  // registered in several TUs: the same name in every order
        known.framework = f.framework;
      }
    }
    for (const VariableFact& original : tu.variables) {
      VariableFact v = original;
      if (!v.enclosingFunction.empty()) v.enclosingFunction = names.own(u, v.enclosingFunction);
      auto [it, inserted] = variableAt.try_emplace(v.id, program.variables.size());
      if (inserted)
        program.variables.push_back(std::move(v));
      else if (v.isDefinition && !program.variables[it->second].isDefinition)
        program.variables[it->second] = std::move(v);
    }
  }
  program.systemHeaders.assign(systemHeaders.begin(), systemHeaders.end());
  program.frameworks.assign(frameworks.begin(), frameworks.end());
  auto owned = [&](const std::string& fn, size_t u) {
    auto it = owner.find(fn);
    return it == owner.end() ? u == 0 : it->second == u;
  };
  std::set<std::pair<std::string, std::string>> overrides;
  std::set<std::string> taken;
  for (size_t u = 0; u < units.size(); ++u) {
    const TUFacts& tu = *units[u];
    for (const CallFact& original : tu.calls) {
      std::string caller = names.own(u, original.caller);
      if (!owned(caller, u)) continue;
      for (const std::string& callee : names.targets(u, original.callee)) {
        CallFact c = original;
        c.caller = caller;
        c.callee = callee;
        program.calls.push_back(std::move(c));
      }
    }
    for (const IndirectCallFact& original : tu.indirectCalls) {
      IndirectCallFact c = original;
      c.caller = names.own(u, c.caller);
      if (owned(c.caller, u)) program.indirectCalls.push_back(std::move(c));
    }
    for (const std::string& f : tu.addressTaken)
      for (const std::string& t : names.targets(u, f))
        if (taken.insert(t).second) program.addressTaken.push_back(t);
    for (const AccessFact& original : tu.accesses) {
      std::string fn = names.own(u, original.function);
      if (!owned(fn, u)) continue;
      for (const Base& base : names.bases(u, original.base)) {
        AccessFact a = original;
        a.function = fn;
        a.base = base;
        program.accesses.push_back(std::move(a));
      }
    }
    for (const BindingFact& original : tu.bindings) {
      std::string fn = names.own(u, original.function);
      if (!owned(fn, u)) continue;
      for (const Base& base : names.bases(u, original.base))
        for (const std::string& callee : names.targets(u, original.callee)) {
          BindingFact b = original;
          b.function = fn;
          b.base = base;
          b.callee = callee;
          program.bindings.push_back(std::move(b));
        }
    }
    for (const ReturnFact& original : tu.returns) {
      std::string fn = names.own(u, original.function);
      if (!owned(fn, u)) continue;
      for (const Base& base : names.bases(u, original.base)) program.returns.push_back({fn, base});
    }
    for (const EventFact& original : tu.events) {
      std::string fn = names.own(u, original.function);
      if (!owned(fn, u)) continue;
      EventFact e = original;
      e.function = fn;
      e.callees.clear();
      for (const std::string& c : original.callees)
        for (const std::string& t : names.targets(u, c)) e.callees.push_back(t);
      for (const Base& target : names.bases(u, original.target)) {
        EventFact copy = e;
        copy.target = target;
        program.events.push_back(std::move(copy));
      }
    }
    for (const PointsToFact& original : tu.pointsTo) {
      std::string fn = names.own(u, original.function);
      if (!owned(fn, u)) continue;
      for (const Base& target : names.bases(u, original.target)) {
        PointsToFact p = original;
        p.function = fn;
        p.target = target;
        program.pointsTo.push_back(std::move(p));
      }
    }
    for (const OverrideFact& o : tu.overrides)
      for (const std::string& method : names.targets(u, o.method))
        for (const std::string& base : names.targets(u, o.overridden))
          if (overrides.insert({method, base}).second) program.overrides.push_back({method, base});
  }
  return program;
}

}  // namespace forksafe
