// Heap block lookup for --verify: /proc/self/maps, the glibc main-arena walk, chunk-header checks,
// and the sanitizer allocator interface.
#include "verify/heap_blocks.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

extern "C" {
// Present when the server is built with ASan or TSan (their runtimes define them), null otherwise.
__attribute__((weak)) int __sanitizer_get_ownership(const volatile void* p);
__attribute__((weak)) std::size_t __sanitizer_get_allocated_size(const volatile void* p);
__attribute__((weak)) const void* __sanitizer_get_allocated_begin(const void* p);
// Present under ASan only (TSan's runtime also has the three above).
__attribute__((weak)) int __asan_address_is_poisoned(const volatile void* addr);
}

namespace forksafe::serve::verify {

namespace {

// glibc's chunk layout (malloc/malloc.c): a chunk starts 16 bytes before the pointer malloc
// returns; the word at chunk+8 is its size with three flag bits; a chunk's usable bytes run up to
// and include the next chunk's first word (its prev_size, used only while this chunk is free).
constexpr std::uintptr_t kHeader = 16;
constexpr std::uintptr_t kPrevInUse = 1, kIsMmapped = 2, kFlags = 7;
constexpr std::uintptr_t kMinChunk = 32, kAlign = 16;
constexpr std::uintptr_t kPage = 4096;

}  // namespace

namespace {
constexpr const char* kTunedMarker = "FORKSAFE_VERIFY_MALLOC_TUNED";
constexpr const char* kTunables = "glibc.malloc.perturb=255:glibc.malloc.tcache_count=0";
}  // namespace

void restart_with_zero_filling_malloc(char** argv) {
  if (__sanitizer_get_ownership || std::getenv(kTunedMarker)) return;
  const char* old = std::getenv("GLIBC_TUNABLES");
  std::string tunables = old && *old ? std::string(old) + ":" + kTunables : kTunables;
  ::setenv("GLIBC_TUNABLES", tunables.c_str(), 1);
  ::setenv(kTunedMarker, "1", 1);
  ::execv("/proc/self/exe", argv);
  ::unsetenv(kTunedMarker);  // exec failed: run as we are; the report says so
}

bool malloc_zero_fills() {
  // ASan fills new blocks with 0xbe (malloc_fill_byte, up to max_malloc_fill_size); TSan does not.
  return __asan_address_is_poisoned != nullptr || std::getenv(kTunedMarker) != nullptr;
}

__attribute__((no_sanitize("address", "thread"))) std::uint64_t live_word(std::uintptr_t addr) {
  return *reinterpret_cast<const volatile std::uint64_t*>(addr);
}

void HeapBlocks::refresh() {
  allocator_ = __sanitizer_get_ownership ? Allocator::kSanitizer : Allocator::kGlibc;
  mappings_.clear();
  Range heap{};
  if (std::FILE* f = std::fopen("/proc/self/maps", "re")) {
    char line[512];
    while (std::fgets(line, sizeof line, f)) {
      unsigned long begin = 0, end = 0, inode = 0;
      char perms[8] = {0};
      int path_at = 0;
      if (std::sscanf(line, "%lx-%lx %7s %*x %*s %lu %n", &begin, &end, perms, &inode, &path_at) <
          4)
        continue;
      if (std::strncmp(perms, "rw-p", 4) != 0 || inode != 0) continue;
      const char* path = line + path_at;
      bool is_heap = std::strncmp(path, "[heap]", 6) == 0;
      if (*path != '\n' && *path != '\0' && !is_heap) continue;  // [stack], [vvar], ...
      mappings_.push_back({begin, end});
      if (is_heap) heap = {begin, end};
    }
    std::fclose(f);
  }
  std::sort(mappings_.begin(), mappings_.end(),
            [](const Range& a, const Range& b) { return a.begin < b.begin; });
  chunks_.clear();
  main_arena_ = {};
  if (allocator_ != Allocator::kGlibc) return;
  if (tcache_key_ == 0 && !malloc_zero_fills()) {  // zero-filling runs without the cache
    // glibc (2.34 and later) marks a chunk it keeps in its per-thread cache with a random key in
    // the chunk's second word; learn it from a chunk of our own, so cached free chunks are not
    // taken for live ones.
    auto* own = static_cast<unsigned char*>(std::malloc(40));
    auto at = reinterpret_cast<std::uintptr_t>(own);
    std::free(own);
    tcache_key_ = live_word(at + 8);
  }
  if (heap.begin < heap.end) walk_main_arena(heap);
}

bool HeapBlocks::cached_free(std::uintptr_t p) const {
  return tcache_key_ != 0 && live_word(p + 8) == tcache_key_;
}

void HeapBlocks::walk_main_arena(const Range& heap) {
  // From the first chunk (at the start of the brk area, which is page aligned) to the top chunk.
  // Any inconsistent size ends the walk and discards it: pointers into the main arena are then
  // checked one by one, like everywhere else. Free chunks in the per-thread cache are recognised
  // by their key; free chunks in fastbins still look in use.
  std::vector<Range> chunks;
  std::uintptr_t c = heap.begin;
  while (c + kHeader <= heap.end) {
    std::uintptr_t size = live_word(c + 8) & ~kFlags;
    if (size < kMinChunk || size % kAlign != 0 || c + size > heap.end) return;
    std::uintptr_t next = c + size;
    if (next + kHeader > heap.end) break;  // c is the top chunk
    if ((live_word(next + 8) & kPrevInUse) && !cached_free(c + kHeader))
      chunks.push_back({c + kHeader, next + 8});
    c = next;
  }
  chunks_ = std::move(chunks);
  main_arena_ = heap;
}

Range HeapBlocks::mapping_of(std::uintptr_t v) const {
  auto it = std::upper_bound(mappings_.begin(), mappings_.end(), v,
                             [](std::uintptr_t a, const Range& r) { return a < r.begin; });
  if (it == mappings_.begin()) return {};
  --it;
  return v < it->end ? *it : Range{};
}

bool HeapBlocks::in_heap_mappings(std::uintptr_t v) const { return mapping_of(v).end != 0; }

Range HeapBlocks::glibc_chunk_at(std::uintptr_t p) const {
  // A chunk start outside the walked arena: p aligned, its header and the next chunk's header in
  // the same mapping and consistent.
  if (p % kAlign != 0) return {};
  Range m = mapping_of(p);
  if (m.end == 0 || p - kHeader < m.begin) return {};
  std::uintptr_t word = live_word(p - 8);
  std::uintptr_t size = word & ~kFlags;
  if (size < kMinChunk || size % kAlign != 0) return {};
  std::uintptr_t chunk = p - kHeader;
  if (word & kIsMmapped) {
    // A chunk of its own mapping: starts `prev_size` bytes after a page boundary, page-sized.
    std::uintptr_t offset = live_word(chunk);
    if ((chunk - offset) % kPage != 0 || (size + offset) % kPage != 0 || chunk + size > m.end)
      return {};
    return {p, chunk + size};
  }
  std::uintptr_t next = chunk + size;
  if (next + kHeader > m.end) return {};
  std::uintptr_t next_word = live_word(next + 8);
  std::uintptr_t next_size = next_word & ~kFlags;
  if (!(next_word & kPrevInUse) || next_size < kMinChunk || next_size % kAlign != 0) return {};
  if (cached_free(p)) return {};
  return {p, next + 8};
}

Range HeapBlocks::block_of(std::uintptr_t p) const {
  if (p < kPage) return {};
  if (allocator_ == Allocator::kSanitizer) {
    const void* begin = reinterpret_cast<const void*>(p);
    if (__sanitizer_get_allocated_begin) {
      begin = __sanitizer_get_allocated_begin(begin);
      if (!begin) return {};
    } else if (!__sanitizer_get_ownership(begin)) {
      return {};
    }
    std::size_t size = __sanitizer_get_allocated_size(begin);
    auto b = reinterpret_cast<std::uintptr_t>(begin);
    return size == 0 ? Range{} : Range{b, b + size};
  }
  if (p >= main_arena_.begin && p < main_arena_.end) {
    auto it = std::upper_bound(chunks_.begin(), chunks_.end(), p,
                               [](std::uintptr_t a, const Range& r) { return a < r.begin; });
    if (it == chunks_.begin()) return {};
    --it;
    return p < it->end ? *it : Range{};
  }
  return glibc_chunk_at(p);
}

bool HeapBlocks::interior_pointers() const {
  return allocator_ == Allocator::kGlibc || __sanitizer_get_allocated_begin != nullptr;
}

const char* HeapBlocks::allocator_name() const {
  return allocator_ == Allocator::kGlibc ? "glibc malloc" : "sanitizer allocator";
}

}  // namespace forksafe::serve::verify
