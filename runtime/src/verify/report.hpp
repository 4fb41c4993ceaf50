// The --verify report: worker records aggregated per symbol, the cross-check against the checker's
// findings, pre-fork hazards; rendered as JSON (the file) and as a readable table.
#ifndef FORKSAFE_SERVE_VERIFY_REPORT_HPP
#define FORKSAFE_SERVE_VERIFY_REPORT_HPP

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "forksafe/shared.hpp"
#include "verify/elf_symbols.hpp"
#include "verify/findings.hpp"
#include "verify/prefork.hpp"
#include "verify/probe.hpp"

namespace forksafe::serve::verify {

/// One symbol as seen by all workers together.
struct Observation {
  std::string mangled;
  std::string symbol;  ///< demangled
  bool local = false;
  std::uint64_t size = 0;
  std::set<long> workers;  ///< pids that changed it
  std::uint64_t requests = 0;
  long first_worker = 0;
  FirstSeen first;
  unsigned via = 0;  ///< Via bits: its own bytes, heap behind it, a global it points to
};

/// Heap tracking as the workers reported it (docs/verify.md, "State behind pointers").
struct HeapStatus {
  bool tracked = false;          ///< some worker tracked heap blocks
  std::uint64_t limit = 0;       ///< --verify-heap-limit in bytes
  std::uint64_t max_bytes = 0;   ///< most bytes one worker tracked
  std::uint64_t max_blocks = 0;  ///< most blocks one worker tracked
  std::set<long> limit_reached;  ///< workers that stopped adding blocks at the limit
  std::string allocator;
  bool interior_pointers = true;
  bool zero_filled = true;    ///< every worker's malloc zero-filled new blocks (no stale pointers)
  std::uint64_t rescans = 0;  ///< searches run again after a request changed a pointer, all workers
};

/// One row of the side-by-side table.
struct CrossRow {
  std::string verdict;  ///< "confirmed", "static only", "dynamic only"
  std::string mangled;
  std::string symbol;
  std::string rules;  ///< checker rules that flagged it, comma separated; empty for dynamic only
  std::string where;  ///< file:line of the first finding
  const Observation* observed = nullptr;
};

struct Report {
  std::string app;
  std::set<long> workers;  ///< every worker that published records
  std::uint64_t requests = 0;
  std::vector<Observation> mutations;
  std::vector<Observation> first_use;
  std::vector<Observation> per_worker;
  std::vector<Hazard> prefork;
  bool preloaded = false;
  HeapStatus heap;
  std::optional<std::vector<Finding>> findings;  ///< with --static-report / --require-clean
  std::vector<CrossRow> cross;
  /// The forksafe::shared arena's use (not app data: it is never diffed), when there is one.
  std::optional<forksafe::shared::StoreStats> shared;
};

/// Reads every worker record file in `spool_dir` and aggregates them; unreadable files (a worker
/// killed mid-write leaves only a .tmp) are skipped.
void aggregate_spool(const std::string& spool_dir, const SymbolTable& table, Report* report);
/// Aggregates one worker's parsed record document (the spool file's JSON text).
bool add_worker_records(const std::string& json_text, const SymbolTable& table, Report* report);
/// Fills report->cross from report->findings (no-op without findings).
void cross_check(Report* report);

/// --verify-fail-on: an empty string when `mode` ("mutation" or "dynamic-only") is satisfied,
/// otherwise one line saying what the traffic mutated.
std::string failure(const Report& report, const std::string& mode);

std::string render_json(const Report& report);
std::string render_table(const Report& report);

}  // namespace forksafe::serve::verify

#endif  // FORKSAFE_SERVE_VERIFY_REPORT_HPP
