// The worker half of --verify: snapshot the app's writable data before the first request, diff it
// after every request, and publish per-symbol records to the master's spool directory.
//
// Records are keyed by symbol. A request that changes a symbol's bytes counts once for it; the
// first such request (method, path, matched route) is kept. A function-local static whose guard
// variable (_ZGV…) goes from 0 to non-zero in the same request is being initialized on first use,
// which is recorded apart and is not a mutation; guard variables are never reported themselves.
// Variables in the FORKSAFE_PER_WORKER section are recorded apart too: diverging is intended.
// Changes outside every data-object symbol (padding, loader data) are ignored.
// With heap tracking (HeapGraph), a change in a heap block reachable from a global, a block newly
// reachable from it, or a change of another global it points to counts for that global too, in
// the record of the global's kind, and the record says how ("via": direct, heap, pointer).
#ifndef FORKSAFE_SERVE_VERIFY_PROBE_HPP
#define FORKSAFE_SERVE_VERIFY_PROBE_HPP

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "verify/elf_symbols.hpp"
#include "verify/heap_graph.hpp"
#include "verify/memory_diff.hpp"

namespace forksafe::serve::verify {

/// The request a record was first seen in.
struct FirstSeen {
  std::string method;
  std::string path;
  std::string route;         ///< matched pattern; empty on 404/405
  std::int64_t when_us = 0;  ///< CLOCK_MONOTONIC, comparable between workers
};

struct SymbolRecord {
  std::uint64_t requests = 0;  ///< requests that changed it
  FirstSeen first;
  unsigned via = 0;                ///< Via bits of every counted change
  std::uint64_t last_request = 0;  ///< the probe's request number that last counted it
};

/// "direct", "heap", "pointer" for each Via bit set in `via`.
std::vector<std::string> via_names(unsigned via);
/// The inverse of via_names, for one name (0 if unknown).
unsigned via_bit(const std::string& name);

enum class RecordKind { kMutation, kFirstUse, kPerWorker };

class Probe {
 public:
  /// Locates the loaded app `app_path`, indexes `table` (which must outlive the probe) and takes
  /// the snapshot. `spool_file` empty: records are kept in memory only (tests). `heap_limit`
  /// bytes of heap reachable from the globals are tracked (0: none).
  bool start(const std::string& app_path, const SymbolTable* table, std::string spool_file,
             std::uint64_t heap_limit, std::string* error);
  /// Diffs after one request and records what changed. Cheap when nothing changed.
  void after_request(std::string_view method, std::string_view path, std::string_view route);
  /// Writes the records to the spool file (atomically); false with `error` on failure.
  bool flush(std::string* error);

  const std::map<std::string, SymbolRecord>& records(RecordKind kind) const;
  std::uint64_t requests() const { return requests_; }
  std::size_t snapshot_bytes() const { return snapshot_.bytes(); }
  std::size_t indexed_symbols() const { return index_.size(); }
  const HeapGraph* heap() const { return heap_limit_ ? &heap_ : nullptr; }

 private:
  void note(RecordKind kind, const std::string& mangled, Via via, std::string_view method,
            std::string_view path, std::string_view route, std::int64_t now_us);

  const SymbolTable* table_ = nullptr;
  ModuleLayout layout_;
  Snapshot snapshot_;
  SymbolIndex index_;
  HeapGraph heap_;
  std::uint64_t heap_limit_ = 0;
  std::vector<HeapGraph::Touch> touched_;  // reused between requests
  std::unordered_map<std::string, std::size_t> by_name_;
  std::string spool_file_;
  std::map<std::string, SymbolRecord> records_[3];
  std::vector<Range> changed_;     // reused between requests
  std::vector<std::size_t> hits_;  // reused between requests
  std::uint64_t requests_ = 0;
  bool dirty_ = false;
  bool urgent_ = false;  // a new symbol appeared: publish now, not at the next interval
  std::int64_t last_flush_us_ = 0;
};

/// CLOCK_MONOTONIC in microseconds.
std::int64_t now_us();

// Writes `text` to a temporary file next to `path` and renames it into place, so readers never
// see a partial file. Errors read "cannot write <what> '<path>': <reason>".
bool write_file_atomically(const std::string& path, const std::string& text, const char* what,
                           std::string* error);

}  // namespace forksafe::serve::verify

#endif  // FORKSAFE_SERVE_VERIFY_PROBE_HPP
