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

 private:
  Range glibc_chunk_at(std::uintptr_t p) const;
  Range mapping_of(std::uintptr_t v) const;
  void walk_main_arena(const Range& heap);

  Allocator allocator_ = Allocator::kGlibc;
  std::vector<Range> mappings_;  // writable, private, anonymous; sorted
  Range main_arena_{};           // [heap] as indexed; empty when the walk failed
  std::vector<Range> chunks_;    // user ranges of in-use main-arena chunks; sorted
};

}  // namespace forksafe::serve::verify

#endif  // FORKSAFE_SERVE_VERIFY_HEAP_BLOCKS_HPP
