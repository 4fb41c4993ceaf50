// The heap blocks reachable from the app's globals, which global(s) reach each one, a snapshot of
// their bytes, and the per-request diff that turns a changed or newly reachable block into a
// mutation of the globals reaching it (--verify, docs/verify.md "State behind pointers").
//
// Design. Reachability is conservative, like a garbage collector's: every aligned word of a global,
// and of every block already reached, that points into a live heap block (HeapBlocks) reaches that
// block; the search runs once per global, so each block knows all its globals, and stops adding
// blocks at the byte limit (reported, never silent). A word of a global that points into another
// global of the app is kept as an edge: a change of the target is also a change "via pointer" of
// the global pointing to it. The blocks are copied into Snapshots over spans of nearly adjacent
// blocks and diffed after each request: glibc main-arena spans with the uninstrumented loops used
// for .data/.bss, everything a free could unmap through process_vm_readv (a freed block is an
// error, never a crash). Changed bytes are mapped back to blocks by binary search (bytes between
// blocks — allocator headers, free chunks, other allocations — are ignored). Only when a changed
// word held or now holds a pointer is the search run again: blocks no longer reachable are dropped
// without a report (their parent's change already counts), blocks newly reachable count as changes
// of the globals reaching them. Stale words (memory reused from an earlier allocation) are kept out
// by three rules, see docs/verify.md: zero-filling malloc, new blocks followed only from written
// words, and a glibc chunk's last word not followed.
#ifndef FORKSAFE_SERVE_VERIFY_HEAP_GRAPH_HPP
#define FORKSAFE_SERVE_VERIFY_HEAP_GRAPH_HPP

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "verify/heap_blocks.hpp"
#include "verify/memory_diff.hpp"

namespace forksafe::serve::verify {

/// How a global was changed: its own bytes, a heap block it reaches, or another global it points
/// to.
enum Via : unsigned { kViaDirect = 1, kViaHeap = 2, kViaPointer = 4 };

class HeapGraph {
 public:
  struct Root {
    Range range;         ///< the global's bytes
    std::size_t symbol;  ///< index into the symbol table
  };
  struct Touch {
    std::size_t symbol;
    Via via;
  };

  /// Indexes the allocator, finds everything reachable from `roots` (within `limit` bytes of
  /// blocks) and takes the snapshot.
  void start(std::vector<Root> roots, std::size_t limit);
  /// After a request: `changed_globals` are the ranges of the app's data that changed, `globals`
  /// the data snapshot before it was updated with them. Appends the globals whose heap (or
  /// pointed-to global) changed; symbols may repeat.
  void after_request(const std::vector<Range>& changed_globals, const Snapshot& globals,
                     const std::vector<std::size_t>& changed_symbols, std::vector<Touch>* out);

  std::size_t blocks() const { return blocks_.size(); }
  std::size_t bytes() const { return bytes_; }
  std::size_t limit() const { return limit_; }
  bool limit_reached() const { return limit_reached_; }
  std::uint64_t rescans() const { return rescans_; }
  const HeapBlocks& allocator() const { return heap_; }

 private:
  struct Block {
    Range range;
    std::vector<std::size_t> owners;  // symbol indexes, ascending
    std::size_t stamp = 0;            // the last root whose search reached it, plus one
    bool fresh = false;               // not tracked before this search
  };
  void rescan(bool first);
  bool was_tracked(std::uintptr_t begin) const;  // in blocks_ (the previous search)
  bool in_written(std::uintptr_t a) const;       // in written_
  void take_snapshot();
  bool maybe_pointer(std::uint64_t v, bool* refreshed);
  std::size_t root_at(std::uintptr_t v) const;   // index into roots_, or npos
  std::size_t block_at(std::uintptr_t v) const;  // index into blocks_, or npos
  void blocks_in(const Range& r, std::vector<std::size_t>* hits) const;

  HeapBlocks heap_;
  std::vector<Root> roots_;  // sorted by address
  std::size_t limit_ = 0;
  std::vector<Block> blocks_;                                             // sorted by address
  std::unordered_map<std::size_t, std::vector<std::size_t>> pointed_by_;  // symbol -> symbols
  std::uint64_t old_word(std::uintptr_t a) const;
  std::uint64_t current_word(std::uintptr_t a) const;

  Snapshot direct_;   // spans in the glibc main arena
  Snapshot guarded_;  // every other span
  std::size_t bytes_ = 0;
  bool limit_reached_ = false;
  std::uint64_t rescans_ = 0;
  std::vector<Range> changed_;     // reused between requests
  std::vector<Range> written_;     // what the request changed, globals and blocks; sorted
  std::vector<std::size_t> hits_;  // reused between requests
};

}  // namespace forksafe::serve::verify

#endif  // FORKSAFE_SERVE_VERIFY_HEAP_GRAPH_HPP
