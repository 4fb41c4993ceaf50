// The writable data of one loaded module: where it is, a snapshot of it, the diff against it, and
// which data-object symbols a changed byte range belongs to (for --verify).
//
// Design: the module's writable PT_LOAD segments (.data, .bss and whatever the linker put beside
// them), minus PT_GNU_RELRO (read-only after relocation), are copied once before the first request.
// After each request the live bytes are compared chunk by chunk with memcmp — no page tracking, no
// signals — and only differing chunks are rescanned byte by byte and copied back. For the few
// kilobytes a typical app has this costs well under a microsecond; it grows linearly with
// .data+.bss. Changed ranges are mapped to symbols by binary search over the sorted symbol list.
#ifndef FORKSAFE_SERVE_VERIFY_MEMORY_DIFF_HPP
#define FORKSAFE_SERVE_VERIFY_MEMORY_DIFF_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "verify/elf_symbols.hpp"

namespace forksafe::serve::verify {

/// A half-open address range [begin, end).
struct Range {
  std::uintptr_t begin = 0;
  std::uintptr_t end = 0;
  bool operator==(const Range& o) const { return begin == o.begin && end == o.end; }
};

/// Where a loaded module lives: its load bias and its writable, non-RELRO ranges.
struct ModuleLayout {
  std::uintptr_t bias = 0;
  std::vector<Range> writable;
};

/// Finds the already loaded library `path` (dlopen RTLD_NOLOAD; it is not loaded again).
bool find_loaded_module(const std::string& path, ModuleLayout* out, std::string* error);

/// One byte of this process's live memory, read the way the snapshot reads it (uninstrumented; see
/// memory_diff.cpp): for looking at the app's data, including bytes other threads may be writing.
unsigned char live_byte(std::uintptr_t addr);

/// Reads `n` bytes of this process's memory at `from` through the kernel (process_vm_readv), so
/// memory unmapped meanwhile is an error instead of a crash: false when any of it is unreadable.
bool read_guarded(unsigned char* to, std::uintptr_t from, std::size_t n);

/// A copy of some ranges of this process's memory, and the diff of the live bytes against it.
/// Direct reads are plain loads (the app's .data/.bss, which cannot go away); guarded reads go
/// through read_guarded (heap memory that a free may have unmapped, see heap_graph.hpp).
class Snapshot {
 public:
  enum class Reads { kDirect, kGuarded };
  /// Copies `ranges`; with guarded reads, ranges that cannot be read are left out.
  void take(const std::vector<Range>& ranges, Reads reads = Reads::kDirect);
  /// Appends the byte ranges whose live contents differ from the copy (adjacent bytes merged).
  /// Direct reads skip regions ending above `readable_end`; false if a region was skipped or could
  /// not be read (it is gone: the caller should take a new snapshot).
  bool diff(std::vector<Range>* changed,
            std::uintptr_t readable_end = ~static_cast<std::uintptr_t>(0)) const;
  /// Copies the live bytes of `changed` into the snapshot, so the next diff starts from here.
  void update(const std::vector<Range>& changed);
  /// The snapshot's byte at `addr` (which must lie in a snapshot range); 0 otherwise.
  unsigned char old_byte(std::uintptr_t addr) const;
  /// The snapshot's 8 bytes at `addr` (bytes outside every range read as 0).
  std::uint64_t old_word(std::uintptr_t addr) const;
  std::size_t bytes() const;

 private:
  struct Region {
    std::uintptr_t begin = 0;
    std::vector<unsigned char> copy;
  };
  std::size_t region_of(std::uintptr_t addr) const;  // index, or regions_.size()
  void diff_region(const Region& region, const unsigned char* live_copy,
                   std::vector<Range>* changed) const;
  std::vector<Region> regions_;  // sorted by address
  Reads reads_ = Reads::kDirect;
  mutable std::vector<unsigned char> scratch_;  // guarded reads land here before the compare
};

/// Runtime addresses of a module's data objects, for mapping changed ranges to symbols.
class SymbolIndex {
 public:
  /// Keeps the symbols of `table` that lie inside `layout.writable` (at `layout.bias`).
  void build(const SymbolTable& table, const ModuleLayout& layout);
  /// Appends the indexes (into the table given to build) of every symbol overlapping `r`.
  void lookup(const Range& r, std::vector<std::size_t>* hits) const;
  /// Runtime address of table symbol `index`, or 0 if it is not in the index.
  std::uintptr_t address_of(std::size_t index) const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::uintptr_t begin;
    std::uintptr_t end;
    std::size_t index;
  };
  std::vector<Entry> entries_;
  std::uintptr_t max_size_ = 0;
};

}  // namespace forksafe::serve::verify

#endif  // FORKSAFE_SERVE_VERIFY_MEMORY_DIFF_HPP
