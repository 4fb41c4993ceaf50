// Module layout from the dynamic loader, memory snapshots and their diff, symbol lookup.
#include "verify/memory_diff.hpp"

#include <dlfcn.h>
#include <fmt/format.h>
#include <link.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace forksafe::serve::verify {

namespace {

struct PhdrQuery {
  std::uintptr_t bias = 0;
  bool found = false;
  ModuleLayout layout;
};

int on_module(dl_phdr_info* info, std::size_t, void* data) {
  auto* q = static_cast<PhdrQuery*>(data);
  if (info->dlpi_addr != q->bias) return 0;
  std::vector<Range> writable;
  Range relro{};
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    Range r{info->dlpi_addr + ph.p_vaddr, info->dlpi_addr + ph.p_vaddr + ph.p_memsz};
    if (ph.p_type == PT_LOAD && (ph.p_flags & PF_W) && ph.p_memsz > 0) writable.push_back(r);
    if (ph.p_type == PT_GNU_RELRO) relro = r;
  }
  for (const Range& w : writable) {
    // RELRO sits at the start of the writable segment; it is mprotected read-only after relocation.
    if (relro.begin < relro.end && relro.begin < w.end && relro.end > w.begin) {
      if (relro.begin > w.begin) q->layout.writable.push_back({w.begin, relro.begin});
      if (relro.end < w.end) q->layout.writable.push_back({relro.end, w.end});
    } else {
      q->layout.writable.push_back(w);
    }
  }
  q->layout.bias = info->dlpi_addr;
  q->found = true;
  return 1;
}

// The app's live memory is read only through the functions below, never with memcpy or
// memcmp, and they are excluded from ASan and TSan instrumentation:
// - Under ASan every instrumented global of the app is followed by a poisoned redzone inside .data
//   or .bss, so reading the whole segment touches poisoned bytes by design (they never change, so
//   the diff is unaffected). Instrumented loads would report them, and so would the memcpy/memcmp
//   interceptors, which check the whole range even when called from an uninstrumented function —
//   hence plain loops (word- or vector-wise where speed matters, through may_alias types, and
//   the compiler keeps them as loads instead of turning them into library calls).
// - Under TSan with -k threads the diff runs on the loop thread while handler threads may write
//   the same globals. That is deliberate: the diff is an observer that cannot synchronize with
//   arbitrary app code, and a change seen mid-write is still a change (docs/verify.md, "Limits":
//   attribution under -k threads). It is the app's own unguarded writes that are the race worth
//   reporting, and TSan still sees those between handler threads.
// Reading through /proc/self/mem would avoid both without attributes, but costs a syscall per
// request, and a worker that dropped privileges with --user may no longer open it.
using UnalignedWord = std::uint64_t __attribute__((may_alias, aligned(1)));

__attribute__((no_sanitize("address", "thread"))) void copy_live(unsigned char* to,
                                                                 std::uintptr_t from,
                                                                 std::size_t n) {
  const auto* src = reinterpret_cast<const unsigned char*>(from);
  std::size_t i = 0;
  for (; i + sizeof(UnalignedWord) <= n; i += sizeof(UnalignedWord))
    *reinterpret_cast<UnalignedWord*>(to + i) = *reinterpret_cast<const UnalignedWord*>(src + i);
  for (; i < n; ++i) to[i] = src[i];
}

// Whether the N live bytes at `live` equal `old` (the diff's full chunks): 16-byte vectors, four
// accumulators and no early exit, which keeps it within 2x of glibc's memcmp for small apps.
template <std::size_t N>
__attribute__((no_sanitize("address", "thread"))) bool live_equals(std::uintptr_t live,
                                                                   const unsigned char* old) {
  using Vec = std::uint64_t __attribute__((vector_size(16), may_alias, aligned(1)));
  static_assert(N % (4 * sizeof(Vec)) == 0);
  // No helper function for the loads: it could be inlined into this uninstrumented function or
  // not, and an out-of-line copy would be instrumented.
  const auto* src = reinterpret_cast<const Vec*>(live);
  const auto* was = reinterpret_cast<const Vec*>(old);
  Vec d0{}, d1{}, d2{}, d3{};
  for (std::size_t i = 0; i < N / sizeof(Vec); i += 4) {
    d0 |= src[i] ^ was[i];
    d1 |= src[i + 1] ^ was[i + 1];
    d2 |= src[i + 2] ^ was[i + 2];
    d3 |= src[i + 3] ^ was[i + 3];
  }
  const Vec d = d0 | d1 | d2 | d3;
  return (d[0] | d[1]) == 0;
}

// The same for any n (the last chunk of a range).
__attribute__((no_sanitize("address", "thread"))) bool live_equals(std::uintptr_t live,
                                                                   const unsigned char* old,
                                                                   std::size_t n) {
  const auto* src = reinterpret_cast<const unsigned char*>(live);
  std::uint64_t differ = 0;
  std::size_t i = 0;
  for (; i + sizeof(UnalignedWord) <= n; i += sizeof(UnalignedWord))
    differ |= *reinterpret_cast<const UnalignedWord*>(src + i) ^
              *reinterpret_cast<const UnalignedWord*>(old + i);
  for (; i < n; ++i) differ |= src[i] ^ old[i];
  return differ == 0;
}

}  // namespace

__attribute__((no_sanitize("address", "thread"))) unsigned char live_byte(std::uintptr_t addr) {
  return *reinterpret_cast<const volatile unsigned char*>(addr);
}

bool find_loaded_module(const std::string& path, ModuleLayout* out, std::string* error) {
  std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
  if (!handle) {
    *error = fmt::format("cannot find loaded app '{}' in memory: {}", path, ::dlerror());
    return false;
  }
  link_map* lm = nullptr;
  int rc = ::dlinfo(handle, RTLD_DI_LINKMAP, &lm);
  ::dlclose(handle);  // only drops the reference RTLD_NOLOAD took
  if (rc != 0 || !lm) {
    *error = fmt::format("cannot find loaded app '{}' in memory: {}", path, ::dlerror());
    return false;
  }
  PhdrQuery q;
  q.bias = lm->l_addr;
  ::dl_iterate_phdr(on_module, &q);
  if (!q.found) {
    *error = fmt::format("cannot find loaded app '{}' in memory: no program headers", path);
    return false;
  }
  *out = std::move(q.layout);
  return true;
}

bool read_guarded(unsigned char* to, std::uintptr_t from, std::size_t n) {
  while (n > 0) {
    iovec local{to, n};
    iovec remote{reinterpret_cast<void*>(from), n};
    ssize_t got = ::process_vm_readv(::getpid(), &local, 1, &remote, 1, 0);
    if (got <= 0) return false;
    to += got;
    from += static_cast<std::uintptr_t>(got);
    n -= static_cast<std::size_t>(got);
  }
  return true;
}

void Snapshot::take(const std::vector<Range>& ranges, Reads reads) {
  regions_.clear();
  reads_ = reads;
  for (const Range& r : ranges) {
    Region region;
    region.begin = r.begin;
    region.copy.resize(r.end - r.begin);
    if (reads == Reads::kDirect) {
      copy_live(region.copy.data(), r.begin, region.copy.size());
    } else if (!read_guarded(region.copy.data(), r.begin, region.copy.size())) {
      continue;  // freed and unmapped since it was found: nothing to watch
    }
    regions_.push_back(std::move(region));
  }
  std::sort(regions_.begin(), regions_.end(),
            [](const Region& a, const Region& b) { return a.begin < b.begin; });
}

// Compares `region` with the live bytes, read directly (live_copy null) or from `live_copy`.
void Snapshot::diff_region(const Region& region, const unsigned char* live_copy,
                           std::vector<Range>* changed) const {
  constexpr std::size_t kChunk = 256;
  const unsigned char* old = region.copy.data();
  const std::size_t n = region.copy.size();
  for (std::size_t off = 0; off < n; off += kChunk) {
    const std::size_t len = std::min(kChunk, n - off);
    bool same;
    if (live_copy) {
      same = std::memcmp(live_copy + off, old + off, len) == 0;
    } else {
      same = len == kChunk ? live_equals<kChunk>(region.begin + off, old + off)
                           : live_equals(region.begin + off, old + off, len);
    }
    if (same) continue;
    for (std::size_t i = off; i < off + len; ++i) {
      unsigned char now = live_copy ? live_copy[i] : live_byte(region.begin + i);
      if (now == old[i]) continue;
      std::uintptr_t addr = region.begin + i;
      if (!changed->empty() && changed->back().end == addr) {
        changed->back().end = addr + 1;
      } else {
        changed->push_back({addr, addr + 1});
      }
    }
  }
}

bool Snapshot::diff(std::vector<Range>* changed, std::uintptr_t readable_end) const {
  bool complete = true;
  for (const Region& region : regions_) {
    if (reads_ == Reads::kDirect) {
      if (region.begin + region.copy.size() > readable_end) {
        complete = false;
        continue;
      }
      diff_region(region, nullptr, changed);
      continue;
    }
    scratch_.resize(region.copy.size());
    if (!read_guarded(scratch_.data(), region.begin, scratch_.size())) {
      complete = false;
      continue;
    }
    diff_region(region, scratch_.data(), changed);
  }
  return complete;
}

std::size_t Snapshot::region_of(std::uintptr_t addr) const {
  auto it = std::upper_bound(regions_.begin(), regions_.end(), addr,
                             [](std::uintptr_t a, const Region& r) { return a < r.begin; });
  if (it == regions_.begin()) return regions_.size();
  --it;
  return addr < it->begin + it->copy.size() ? static_cast<std::size_t>(it - regions_.begin())
                                            : regions_.size();
}

void Snapshot::update(const std::vector<Range>& changed) {
  for (const Range& r : changed) {
    std::size_t i = region_of(r.begin);
    if (i == regions_.size()) continue;
    Region& region = regions_[i];
    if (r.end > region.begin + region.copy.size()) continue;
    unsigned char* to = region.copy.data() + (r.begin - region.begin);
    if (reads_ == Reads::kDirect) {
      copy_live(to, r.begin, r.end - r.begin);
    } else {
      read_guarded(to, r.begin, r.end - r.begin);  // unreadable: the next diff says it is gone
    }
  }
}

unsigned char Snapshot::old_byte(std::uintptr_t addr) const {
  std::size_t i = region_of(addr);
  return i == regions_.size() ? 0 : regions_[i].copy[addr - regions_[i].begin];
}

std::uint64_t Snapshot::old_word(std::uintptr_t addr) const {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < sizeof v; ++i)
    v |= static_cast<std::uint64_t>(old_byte(addr + i)) << (8 * i);
  return v;
}

std::size_t Snapshot::bytes() const {
  std::size_t n = 0;
  for (const Region& r : regions_) n += r.copy.size();
  return n;
}

void SymbolIndex::build(const SymbolTable& table, const ModuleLayout& layout) {
  entries_.clear();
  max_size_ = 0;
  for (std::size_t i = 0; i < table.symbols.size(); ++i) {
    const ObjectSymbol& s = table.symbols[i];
    std::uintptr_t begin = layout.bias + s.value;
    std::uintptr_t end = begin + s.size;
    bool inside = std::any_of(layout.writable.begin(), layout.writable.end(),
                              [&](const Range& w) { return begin < w.end && end > w.begin; });
    if (!inside) continue;
    entries_.push_back({begin, end, i});
    max_size_ = std::max<std::uintptr_t>(max_size_, s.size);
  }
  std::sort(entries_.begin(), entries_.end(),
            [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
}

void SymbolIndex::lookup(const Range& r, std::vector<std::size_t>* hits) const {
  std::uintptr_t from = r.begin > max_size_ ? r.begin - max_size_ : 0;
  auto it = std::lower_bound(entries_.begin(), entries_.end(), from,
                             [](const Entry& e, std::uintptr_t a) { return e.begin < a; });
  for (; it != entries_.end() && it->begin < r.end; ++it)
    if (it->end > r.begin) hits->push_back(it->index);
}

std::uintptr_t SymbolIndex::address_of(std::size_t index) const {
  for (const Entry& e : entries_)
    if (e.index == index) return e.begin;
  return 0;
}

}  // namespace forksafe::serve::verify
