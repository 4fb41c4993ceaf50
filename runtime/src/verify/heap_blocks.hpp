// Which live heap allocation an address points into, for --verify's heap tracking: glibc malloc
// (chunk walk of the main arena, chunk-header checks elsewhere) or a sanitizer's allocator.
//
// Design (docs/verify.md, "State behind pointers"): nothing is intercepted. glibc keeps a size word
// before every chunk, so the main arena ([heap], the brk area) is walked chunk by chunk into a
// sorted index — start and interior pointers both resolve — and a pointer anywhere else (thread
// arenas, mmapped chunks) is accepted when it is the start of a chunk whose header and next
// chunk's header are consistent. Under ASan or TSan malloc is the sanitizer's, whose interface
// answers "is this the start of a live allocation, and how big" (__sanitizer_get_ownership,
// __sanitizer_get_allocated_size) and, with newer runtimes, "where does the allocation containing
// this address begin" (__sanitizer_get_allocated_begin); without the latter only pointers to the
// start of a block are followed.
#ifndef FORKSAFE_SERVE_VERIFY_HEAP_BLOCKS_HPP
#define FORKSAFE_SERVE_VERIFY_HEAP_BLOCKS_HPP

#include <cstddef>
#include <cstdint>
#include <vector>

#include "verify/memory_diff.hpp"

namespace forksafe::serve::verify {

/// Heap tracking reads blocks conservatively, so a stale pointer left in memory malloc handed out
/// again (the slack after a short allocation, an unused member, a container's spare capacity)
/// would tie an unrelated block to a global. glibc's malloc fills what it hands out with zeros and
/// what is freed with 0xff when started with GLIBC_TUNABLES glibc.malloc.perturb=255 and
/// tcache_count=0 (its per-thread cache would bypass both). Tunables are read at start-up only:
/// called first thing in main(), this re-executes the server once with them set (returns only if
/// already set, not glibc's malloc, or exec failed).
void restart_with_zero_filling_malloc(char** argv);
/// Whether this process runs with the tunables above, or under ASan, whose malloc fills new
/// blocks itself (TSan's does not: stale pointers can tie unrelated blocks to globals there).
bool malloc_zero_fills();

/// One word of this process's live memory, read uninstrumented (see memory_diff.cpp).
std::uint64_t live_word(std::uintptr_t addr);

class HeapBlocks {
 public:
  enum class Allocator { kGlibc, kSanitizer };

  /// Detects the allocator, reads the process's writable anonymous mappings and indexes the main
  /// arena. Call again (refresh) when the heap may have changed shape.
  void refresh();
  /// The block `p` points into (start or interior), or {0,0}.
  Range block_of(std::uintptr_t p) const;
  /// Whether `v` lies in a writable anonymous mapping seen at the last refresh (could be a pointer
  /// to a heap block).
  bool in_heap_mappings(std::uintptr_t v) const;
  Allocator allocator() const { return allocator_; }
  /// Whether pointers into the middle of a block are resolved (false: starts only).
  bool interior_pointers() const;
  const char* allocator_name() const;
  /// The glibc main arena as walked at the last refresh; empty when not walked.
  Range main_arena() const { return main_arena_; }

 private:
  Range glibc_chunk_at(std::uintptr_t p) const;
  bool cached_free(std::uintptr_t p) const;  // a free chunk in glibc's per-thread cache
  Range mapping_of(std::uintptr_t v) const;
  void walk_main_arena(const Range& heap);

  Allocator allocator_ = Allocator::kGlibc;
  std::vector<Range> mappings_;   // writable, private, anonymous; sorted
  Range main_arena_{};            // [heap] as indexed; empty when the walk failed
  std::vector<Range> chunks_;     // user ranges of in-use main-arena chunks; sorted
  std::uint64_t tcache_key_ = 0;  // glibc's per-thread cache key; 0: unknown
};

}  // namespace forksafe::serve::verify

#endif  // FORKSAFE_SERVE_VERIFY_HEAP_BLOCKS_HPP
