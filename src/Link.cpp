// Merges per-TU facts; see Link.h.
#include "Link.h"

#include <set>
#include <string>
#include <unordered_map>

namespace forksafe {

TUFacts linkFacts(const std::vector<const TUFacts*>& units) {
  TUFacts program;
  std::unordered_map<std::string, size_t> owner;  // function id -> unit that contributes its body
  std::unordered_map<std::string, size_t> functionAt, variableAt;
  std::set<std::string> frameworks;
  for (size_t u = 0; u < units.size(); ++u) {
    const TUFacts& tu = *units[u];
    if (program.mainFile.empty()) program.mainFile = tu.mainFile;
    program.hasHandlerRoots |= tu.hasHandlerRoots;
    program.handlerPatterns |= tu.handlerPatterns;
    frameworks.insert(tu.frameworks.begin(), tu.frameworks.end());
    for (const FunctionFact& f : tu.functions) {
      auto [it, inserted] = functionAt.try_emplace(f.id, program.functions.size());
      if (inserted) {
        owner[f.id] = u;
        program.functions.push_back(f);
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
    for (const VariableFact& v : tu.variables) {
      auto [it, inserted] = variableAt.try_emplace(v.id, program.variables.size());
      if (inserted) program.variables.push_back(v);
      else if (v.isDefinition && !program.variables[it->second].isDefinition)
        program.variables[it->second] = v;
    }
  }
  program.frameworks.assign(frameworks.begin(), frameworks.end());
  auto owned = [&](const std::string& fn, size_t u) {
    auto it = owner.find(fn);
    return it == owner.end() ? u == 0 : it->second == u;
  };
  std::set<std::pair<std::string, std::string>> overrides;
  std::set<std::string> taken;
  for (size_t u = 0; u < units.size(); ++u) {
    const TUFacts& tu = *units[u];
    for (const CallFact& c : tu.calls)
      if (owned(c.caller, u)) program.calls.push_back(c);
    for (const IndirectCallFact& c : tu.indirectCalls)
      if (owned(c.caller, u)) program.indirectCalls.push_back(c);
    for (const std::string& f : tu.addressTaken)
      if (taken.insert(f).second) program.addressTaken.push_back(f);
    for (const AccessFact& a : tu.accesses)
      if (owned(a.function, u)) program.accesses.push_back(a);
    for (const BindingFact& b : tu.bindings)
      if (owned(b.function, u)) program.bindings.push_back(b);
    for (const ReturnFact& r : tu.returns)
      if (owned(r.function, u)) program.returns.push_back(r);
    for (const EventFact& e : tu.events)
      if (owned(e.function, u)) program.events.push_back(e);
    for (const OverrideFact& o : tu.overrides)
      if (overrides.insert({o.method, o.overridden}).second) program.overrides.push_back(o);
  }
  return program;
}

}  // namespace forksafe
