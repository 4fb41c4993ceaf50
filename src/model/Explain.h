// Wording shared by the rules: call paths, root descriptions and notes at offending sites.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/Model.h"
#include "report/Finding.h"

namespace forksafe {

enum class PathKind { Request, UnlockedRequest, Init, PreforkInit };

// "save() -> Store::put()" for a root-first path.
std::string pathText(const Model& model, const std::vector<PathStep>& path);

// One note per site (at most `limit`, then a count of the rest) saying what happens there, plus
// one note per distinct function saying how it is reached: "'put()' runs per request: reached
// from handler 'save()' via save() -> put()".
void addSiteNotes(const Model& model, const std::vector<const ResolvedAccess*>& sites,
                  const std::string& varName, PathKind kind, std::vector<Note>& notes,
                  size_t limit = 5);

// A note at `loc` saying how `fn` is reached on `kind` paths; none when `fn` is itself a root
// whose role the message already names.
std::optional<Note> reachNote(const Model& model, const std::string& fn, const Location& loc,
                              PathKind kind);

// "'save()'", or "the static initializer of 'g'" (which carries its own quotes).
std::string functionLabel(const Model& model, const std::string& fn);

// Appends reachNote() for `fn` (at its definition) when there is one.
void addReachNote(const Model& model, const std::string& fn, PathKind kind,
                  std::vector<Note>& notes);

// What the sites write, for a message: "'g'" when some site writes the variable itself, "the
// object 'g_cache' points to" when every site writes what it points to.
std::string writtenSubject(const std::string& varName,
                           const std::vector<const ResolvedAccess*>& sites);

// Notes on the indirection behind the sites: that the object a pointer points to is copied into
// every worker (with copiedByFork), and where a pointer written through was aimed at this
// variable.
void addIndirectionNotes(const Model& model, const VariableFact& var,
                         const std::vector<const ResolvedAccess*>& sites, bool copiedByFork,
                         std::vector<Note>& notes);

// "every worker process has its own copy" (prefork) or "every replica has its own copy"
// (replicas), for the program `fn` belongs to.
std::string copiesWording(const Model& model, const std::string& fn);

// The suffix every message ends with: " [deployment: prefork, because ...]".
std::string deploymentSuffix(const Model& model, const std::string& fn);

// The id of the root of the path that makes `fn` reached (`fn` itself when unreached).
std::string rootFunction(const Model& model, const std::string& fn, PathKind kind);

// The root of the path that makes `fn` reached, described for a message ("handler 'save()'").
std::string rootOf(const Model& model, const std::string& fn, PathKind kind);

// "keep it in an external store shared by all workers", or, in a forksafe app whose variable has
// the shape of one, the forksafe::shared type that is that store.
std::string sharedStoreAdvice(const Model& model, const VariableFact& var, const std::string& who);

}  // namespace forksafe
