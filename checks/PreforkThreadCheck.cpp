// forksafe-prefork-thread: threads started by init code or static initializers.
#include "PreforkThreadCheck.h"

#include <map>
#include <set>

#include "model/Explain.h"

namespace forksafe {

llvm::StringRef PreforkThreadCheck::summary() const {
  return "A thread is started before fork (in a static initializer or init code): it does not "
         "exist in the workers.";
}

llvm::StringRef PreforkThreadCheck::help() const {
  return "fork() copies only the calling thread. A background thread started by a static "
         "initializer, main() or a FORKSAFE_INIT function keeps running in the master only; in "
         "every worker the std::thread object exists but no thread runs behind it, queues it "
         "drains fill up, and locks it held at the moment of fork stay locked forever. Start "
         "background threads in a FORKSAFE_WORKER_INIT hook, which runs in each worker after "
         "fork.";
}

void PreforkThreadCheck::check(const CheckContext& ctx, std::vector<Finding>& out) const {
  const Model& model = ctx.model;
  std::map<std::string, std::vector<const EventFact*>> byVariable;
  std::vector<const EventFact*> bare;
  std::set<Location> targeted;
  for (const EventFact& e : model.facts().events) {
    if (e.kind != EventKind::ThreadStart || !model.isPreforkInitTime(e.function)) continue;
    if (e.hasTarget && e.target.kind == BaseKind::Variable && model.variable(e.target.id)) {
      byVariable[e.target.id].push_back(&e);
      targeted.insert(e.loc);
    } else {
      bare.push_back(&e);
    }
  }
  auto notesFor = [&](const EventFact& e, Finding& f) {
    f.notes.push_back(
        {e.loc, "'" + e.api + "' started here, in " + functionLabel(model, e.function)});
    addReachNote(model, e.function, PathKind::PreforkInit, f.notes);
    f.sites.push_back(e.loc);
  };
  const char* why =
      "; fork() copies only the calling thread, so in every worker this thread does not run; "
      "start it in a FORKSAFE_WORKER_INIT hook, after fork, instead";
  for (const auto& [varId, events] : byVariable) {
    const VariableFact& var = *model.variable(varId);
    Finding f = makeFinding(var);
    f.message = "'" + var.name + "' holds a thread started before fork (" +
                rootOf(model, events.front()->function, PathKind::PreforkInit) + ")" + why +
                deploymentSuffix(
                    model, rootFunction(model, events.front()->function, PathKind::PreforkInit));
    for (const EventFact* e : events) notesFor(*e, f);
    out.push_back(std::move(f));
  }
  std::set<Location> reported;
  for (const EventFact* e : bare) {
    if (targeted.count(e->loc) || !reported.insert(e->loc).second) continue;
    Finding f = makeFinding(e->loc, e->api);
    f.message = "'" + e->api + "' starts a thread before fork (" +
                rootOf(model, e->function, PathKind::PreforkInit) + ")" + why +
                deploymentSuffix(model, rootFunction(model, e->function, PathKind::PreforkInit));
    notesFor(*e, f);
    out.push_back(std::move(f));
  }
}

}  // namespace forksafe
