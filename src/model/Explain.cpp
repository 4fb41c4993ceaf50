// Notes and phrases that explain why a site is on a request path or runs before fork.
#include "model/Explain.h"

#include <algorithm>
#include <set>
#include <utility>

namespace forksafe {
namespace {

std::vector<PathStep> pathOf(const Model& model, const std::string& fn, PathKind kind) {
  switch (kind) {
    case PathKind::Request:
      return model.requestPath(fn);
    case PathKind::UnlockedRequest:
      return model.unlockedPath(fn);
    case PathKind::Init:
      return model.initPath(fn);
    case PathKind::PreforkInit:
      return model.preforkInitPath(fn);
  }
  return {};
}

// The framework's name of a handler ("GET /users/:id") when known, else the function's name.
std::string nameOf(const Model& model, const std::string& fn) {
  const FunctionFact* f = model.function(fn);
  if (f && !f->display.empty()) return f->display;
  return f ? f->name : fn;
}

// "'save()'", "handler 'GET /users/:id'", or "the static initializer of 'g'" (which carries its
// own quotes).
std::string quoted(const Model& model, const std::string& fn) {
  const FunctionFact* f = model.function(fn);
  if (f && f->isStaticInit) return f->name;
  if (f && !f->display.empty()) return "handler '" + f->display + "'";
  return "'" + nameOf(model, fn) + "'";
}

// Every call on some path of `kind` from a root to `fn`, sorted and unique.
std::vector<Location> callsOf(const Model& model, const std::string& fn, PathKind kind) {
  std::vector<Location> out;
  switch (kind) {
    case PathKind::Request:
      out = model.requestCalls(fn);
      break;
    case PathKind::UnlockedRequest:
      out = model.unlockedCalls(fn);
      break;
    case PathKind::Init:
      out = model.initCalls(fn);
      break;
    case PathKind::PreforkInit:
      out = model.preforkInitCalls(fn);
      break;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

std::string functionLabel(const Model& model, const std::string& fn) { return quoted(model, fn); }

std::string pathText(const Model& model, const std::vector<PathStep>& path) {
  std::string out;
  for (const PathStep& step : path) {
    if (!out.empty()) out += " -> ";
    out += nameOf(model, step.function);
  }
  return out;
}

std::string rootFunction(const Model& model, const std::string& fn, PathKind kind) {
  std::vector<PathStep> path = pathOf(model, fn, kind);
  return path.empty() ? fn : path.front().function;
}

std::string rootOf(const Model& model, const std::string& fn, PathKind kind) {
  std::vector<PathStep> path = pathOf(model, fn, kind);
  return model.describeRoot(path.empty() ? fn : path.front().function);
}

std::optional<Note> reachNote(const Model& model, const std::string& fn, const Location& loc,
                              PathKind kind) {
  std::vector<PathStep> path = pathOf(model, fn, kind);
  const FunctionFact* f = model.function(fn);
  bool init = kind == PathKind::Init || kind == PathKind::PreforkInit;
  std::string what = !init ? "runs per request"
                     : model.deployment(rootFunction(model, fn, kind)).model == Deployment::Replicas
                         ? "runs at start-up"
                         : "runs before fork";
  if (path.size() > 1) {
    return Note{loc,
                quoted(model, fn) + " " + what + ": reached from " +
                    model.describeRoot(path.front().function) + " via " + pathText(model, path),
                callsOf(model, fn, kind)};
  }
  // A root explains itself, except an inferred entry point, whose status needs the reason.
  if (!init && model.inferredRootsFor(fn) && f && f->root == RootKind::None)
    return Note{loc, quoted(model, fn) + " " + what +
                         ": no handler is annotated or configured, so every function that main() "
                         "and init code do not call themselves is a possible request path"};
  return std::nullopt;
}

void addSiteNotes(const Model& model, const std::vector<const ResolvedAccess*>& sites,
                  const std::string& varName, PathKind kind, std::vector<Note>& notes,
                  size_t limit) {
  std::set<std::string> explained;
  std::set<std::pair<std::string, unsigned>> lines;
  size_t shown = 0;
  for (const ResolvedAccess* site : sites) {
    if (!lines.insert({site->loc.file, site->loc.line}).second) continue;  // one note per line
    if (shown == limit) {
      // The sites not shown still tie the finding to the calls that reach them (ReportFilter).
      Note more{site->loc,
                "and " + std::to_string(sites.size() - shown) + " more such site(s) not shown"};
      for (const ResolvedAccess* rest : sites)
        if (explained.insert(rest->function).second)
          for (Location& call : callsOf(model, rest->function, kind))
            more.calls.push_back(std::move(call));
      notes.push_back(std::move(more));
      break;
    }
    ++shown;
    std::string what =
        site->pointee ? "the object '" + varName + "' points to" : "'" + varName + "'";
    std::string through;
    if (site->through) {
      const VariableFact* pointer = model.variable(site->through->pointer);
      through = " through '" + (pointer ? pointer->name : site->through->pointer) + "'";
    }
    notes.push_back({site->loc, what + " is " + site->how + through + " here, in " +
                                    quoted(model, site->function)});
    if (explained.insert(site->function).second) {
      const FunctionFact* f = model.function(site->function);
      if (auto note = reachNote(model, site->function, f ? f->loc : site->loc, kind))
        notes.push_back(std::move(*note));
    }
  }
}

}  // namespace forksafe

namespace forksafe {

void addReachNote(const Model& model, const std::string& fn, PathKind kind,
                  std::vector<Note>& notes) {
  const FunctionFact* f = model.function(fn);
  if (!f) return;
  if (auto note = reachNote(model, fn, f->loc, kind)) notes.push_back(std::move(*note));
}

}  // namespace forksafe

namespace forksafe {

std::string writtenSubject(const std::string& varName,
                           const std::vector<const ResolvedAccess*>& sites) {
  for (const ResolvedAccess* site : sites)
    if (!site->pointee) return "'" + varName + "'";
  return "the object '" + varName + "' points to";
}

void addIndirectionNotes(const Model& model, const VariableFact& var,
                         const std::vector<const ResolvedAccess*>& sites, bool copiedByFork,
                         std::vector<Note>& notes) {
  std::set<const PointsToFact*> aims;
  bool pointee = false;
  for (const ResolvedAccess* site : sites) {
    pointee |= site->pointee && !site->shared;
    if (site->through && site->through->kind == AimKind::Static) aims.insert(site->through);
  }
  if (pointee && copiedByFork) {
    std::string kind = var.isReference ? "refers to" : "points to";
    notes.push_back({var.loc, "'" + var.name + "' " + kind +
                                  " an object outside the variable itself; fork copies that "
                                  "object into every worker process like any global, so each "
                                  "worker writes its own copy"});
  }
  for (const PointsToFact* aim : aims) {
    const VariableFact* pointer = model.variable(aim->pointer);
    std::string name = pointer ? pointer->name : aim->pointer;
    notes.push_back({aim->loc, "'" + name + "' is aimed at '" + var.name + "' here, in " +
                                   functionLabel(model, aim->function) +
                                   ", so writes through it write '" + var.name + "'"});
  }
}

std::string copiesWording(const Model& model, const std::string& fn) {
  return model.deployment(fn).model == Deployment::Replicas
             ? "every replica has its own copy"
             : "every worker process has its own copy";
}

std::string deploymentSuffix(const Model& model, const std::string& fn) {
  const DeploymentChoice& d = model.deployment(fn);
  return std::string(" [deployment: ") +
         (d.model == Deployment::Replicas ? "replicas" : "prefork") +
         (d.reason.empty() ? "" : ", " + d.reason) + "]";
}

std::string sharedStoreAdvice(const Model& model, const VariableFact& var, const std::string& who) {
  const std::vector<std::string>& seen = model.facts().frameworks;
  bool forksafeApp = std::find(seen.begin(), seen.end(), "forksafe") != seen.end();
  if (!forksafeApp || var.sharedType.empty())
    return "keep it in an external store shared by all " + who;
  return "keep it in a forksafe::shared::" + var.sharedType +
         " (<forksafe/shared.hpp>), which all " + who + " share";
}

}  // namespace forksafe
