// Notes and phrases that explain why a site is on a request path or runs before fork.
#include "Explain.h"

#include <set>

namespace forksafe {
namespace {

std::vector<PathStep> pathOf(const Model& model, const std::string& fn, PathKind kind) {
  switch (kind) {
    case PathKind::Request: return model.requestPath(fn);
    case PathKind::UnlockedRequest: return model.unlockedPath(fn);
    case PathKind::Init: return model.initPath(fn);
  }
  return {};
}

std::string nameOf(const Model& model, const std::string& fn) {
  const FunctionFact* f = model.function(fn);
  return f ? f->name : fn;
}

}  // namespace

std::string pathText(const Model& model, const std::vector<PathStep>& path) {
  std::string out;
  for (const PathStep& step : path) {
    if (!out.empty()) out += " -> ";
    out += nameOf(model, step.function);
  }
  return out;
}

std::string rootOf(const Model& model, const std::string& fn, PathKind kind) {
  std::vector<PathStep> path = pathOf(model, fn, kind);
  return model.describeRoot(path.empty() ? fn : path.front().function);
}

Note reachNote(const Model& model, const std::string& fn, const Location& loc, PathKind kind) {
  std::vector<PathStep> path = pathOf(model, fn, kind);
  std::string root = model.describeRoot(path.empty() ? fn : path.front().function);
  std::string what = kind == PathKind::Init ? "runs before fork" : "runs per request";
  Note note;
  note.loc = loc;
  if (path.size() <= 1) {
    note.message = "'" + nameOf(model, fn) + "' " + what + ": it is " + root;
    if (kind != PathKind::Init && model.inferredRoots() && model.function(fn) &&
        model.function(fn)->root == RootKind::None)
      note.message += " (no handler is annotated or configured, so every function that main() and "
                      "init code do not call themselves is a possible request path)";
  } else {
    note.message = "'" + nameOf(model, fn) + "' " + what + ": reached from " + root + " via " +
                   pathText(model, path);
  }
  return note;
}

void addSiteNotes(const Model& model, const std::vector<const ResolvedAccess*>& sites,
                  const std::string& varName, PathKind kind, std::vector<Note>& notes,
                  size_t limit) {
  std::set<std::string> explained;
  size_t shown = 0;
  for (const ResolvedAccess* site : sites) {
    if (shown == limit) {
      notes.push_back({site->loc, "and " + std::to_string(sites.size() - shown) +
                                      " more such site(s) not shown"});
      break;
    }
    ++shown;
    notes.push_back({site->loc, "'" + varName + "' is " + site->how + " here, in '" +
                                    nameOf(model, site->function) + "'"});
    if (explained.insert(site->function).second) {
      const FunctionFact* f = model.function(site->function);
      notes.push_back(reachNote(model, site->function, f ? f->loc : site->loc, kind));
    }
  }
}

}  // namespace forksafe
