// Notes and phrases that explain why a site is on a request path or runs before fork.
#include "Explain.h"

#include <set>
#include <utility>

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

std::string rootOf(const Model& model, const std::string& fn, PathKind kind) {
  std::vector<PathStep> path = pathOf(model, fn, kind);
  return model.describeRoot(path.empty() ? fn : path.front().function);
}

std::optional<Note> reachNote(const Model& model, const std::string& fn, const Location& loc,
                              PathKind kind) {
  std::vector<PathStep> path = pathOf(model, fn, kind);
  const FunctionFact* f = model.function(fn);
  std::string what = kind == PathKind::Init ? "runs before fork" : "runs per request";
  if (path.size() > 1) {
    return Note{loc, quoted(model, fn) + " " + what + ": reached from " +
                         model.describeRoot(path.front().function) + " via " +
                         pathText(model, path)};
  }
  // A root explains itself, except an inferred entry point, whose status needs the reason.
  if (kind != PathKind::Init && model.inferredRoots() && f && f->root == RootKind::None)
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
      notes.push_back({site->loc, "and " + std::to_string(sites.size() - shown) +
                                      " more such site(s) not shown"});
      break;
    }
    ++shown;
    notes.push_back({site->loc, "'" + varName + "' is " + site->how + " here, in " +
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
