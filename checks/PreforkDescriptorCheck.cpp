// forksafe-prefork-descriptor: descriptors opened before fork, kept in static storage and used
// on a request path.
#include "PreforkDescriptorCheck.h"

#include <map>

#include "model/Explain.h"

namespace forksafe {

llvm::StringRef PreforkDescriptorCheck::summary() const {
  return "A socket, file or connection is opened before fork (socket(), open(), fopen(), a "
         "database connect), stored in static storage and used per request: every worker shares "
         "it.";
}

llvm::StringRef PreforkDescriptorCheck::help() const {
  return "Descriptors survive fork(): every worker inherits the same socket, file offset or "
         "database session. Requests from different workers then interleave on one connection, "
         "corrupting the protocol stream (responses go to the wrong worker), and closing it in "
         "one worker breaks it for the others. Open connections in a FORKSAFE_WORKER_INIT hook "
         "or lazily on first use in each worker, and keep only configuration in globals.";
}

void PreforkDescriptorCheck::check(const CheckContext& ctx, std::vector<Finding>& out) const {
  const Model& model = ctx.model;
  std::map<std::string, std::vector<std::pair<const EventFact*, std::string>>> opened;
  for (const EventFact& e : model.facts().events) {
    if (!e.hasTarget || e.target.kind != BaseKind::Variable || !model.isPreforkInitTime(e.function))
      continue;
    if (e.kind == EventKind::DescriptorOpen) {
      opened[e.target.id].push_back({&e, "'" + e.api + "'"});
    } else if (e.kind == EventKind::DescriptorStore) {
      for (const std::string& callee : e.callees) {
        if (!model.producesDescriptor(callee)) continue;
        const FunctionFact* fn = model.function(callee);
        opened[e.target.id].push_back({&e, "'" + (fn ? fn->name : callee) + "'"});
        break;
      }
    }
  }
  for (const auto& [varId, opens] : opened) {
    const VariableFact* var = model.variable(varId);
    if (!var) continue;
    const ResolvedAccess* use = nullptr;
    for (const ResolvedAccess& a : model.accesses(varId)) {
      if (model.isRequestTime(a.function) && !ctx.suppressions.suppressed(id(), a.loc)) {
        use = &a;
        break;
      }
    }
    if (!use) continue;
    const auto& [first, api] = opens.front();
    Finding f = makeFinding(*var);
    f.message =
        "'" + var->name + "' holds a descriptor opened before fork by " + api + " (" +
        rootOf(model, first->function, PathKind::PreforkInit) +
        ") and is used on a request path; every worker inherits the same open "
        "descriptor, so their traffic interleaves on one socket, file offset or "
        "session; open it in each worker (a FORKSAFE_WORKER_INIT hook, or lazily on "
        "first use)" +
        deploymentSuffix(model, rootFunction(model, first->function, PathKind::PreforkInit));
    for (const auto& [event, how] : opens) {
      f.notes.push_back(
          {event->loc, "opened here by " + how + ", in " + functionLabel(model, event->function)});
      addReachNote(model, event->function, PathKind::PreforkInit, f.notes);
      f.sites.push_back(event->loc);
    }
    f.sites.push_back(use->loc);
    f.notes.push_back(
        {use->loc, "used on a request path here, in " + functionLabel(model, use->function)});
    addReachNote(model, use->function, PathKind::Request, f.notes);
    out.push_back(std::move(f));
  }
}

}  // namespace forksafe
