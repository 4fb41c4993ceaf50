// A diagnostic produced by a rule: one per (variable, rule), with notes at the offending sites.
#pragma once

#include <string>
#include <vector>

#include "facts/Facts.h"

namespace forksafe {

enum class Severity { Warning, Error };

inline const char* severityName(Severity s) { return s == Severity::Error ? "error" : "warning"; }

struct Note {
  Location loc;
  std::string message;
  // For a note that says how a function is reached: every call on some path from a root (the
  // handler, init code) to that function, sorted; empty for other notes. These tie the finding
  // to the handler's file and lines (ReportFilter.h).
  std::vector<Location> calls = {};
};

// One textual edit: `length` bytes at byte `offset` of `file` (absolute path) become `text`.
struct Replacement {
  std::string file;
  unsigned offset = 0;
  unsigned length = 0;
  std::string text;
};
// An edit that resolves or suppresses a finding without changing behaviour silently.
struct Fix {
  std::string description;  // e.g. "mark 'hits' FORKSAFE_PER_WORKER"
  std::vector<Replacement> replacements;
};

struct Finding {
  std::string rule;
  Severity severity = Severity::Warning;
  Location loc;
  std::string symbol;   // qualified name of the variable, or the API for call-site findings
  std::string mangled;  // Itanium mangled name of the variable ("" for call-site findings)
  std::string message;
  std::vector<Note> notes;
  // Where the offending writes, opens, starts or seeds are; when every one of them is in library
  // code (system or framework headers), the finding is not reported (not emitted).
  std::vector<Location> sites;
  std::vector<Fix> fixes;  // safe edits, best first (may be empty)
  // Identifies the finding across runs when lines move (Baseline.h); set by the analysis.
  std::string fingerprint = {};
};

// A file that could not be checked, or another problem that makes the run exit with status 2.
struct RunError {
  std::string file;  // may be empty
  std::string message;
};

}  // namespace forksafe

namespace forksafe {

// What emitters need to know about a rule (filled from the check registry).
struct RuleInfo {
  std::string id;
  Severity severity = Severity::Warning;
  std::string summary;
  std::string help;
};

struct Report {
  std::vector<Finding> findings;
  std::vector<RunError> errors;
  // Problems that do not fail the run: a file of the program outside the report that could not
  // be parsed (its facts are missing from the whole-program analysis).
  std::vector<RunError> notices;
};

}  // namespace forksafe
