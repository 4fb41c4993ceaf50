// Not a test: measures the two ways --verify could find changed heap pages (docs/verify.md, "State
// behind pointers") on this machine's kernel: the soft-dirty bits (/proc/self/clear_refs 4 +
// /proc/self/pagemap) and a plain compare against a copy, per request for a heap of SIZE MB.
// Usage: soft_dirty_bench [SIZE_MB]
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

double us_since(std::chrono::steady_clock::time_point t0, int n) {
  std::chrono::duration<double, std::micro> d = std::chrono::steady_clock::now() - t0;
  return d.count() / n;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t mb = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10;
  const std::size_t size = mb << 20, page = 4096, pages = size / page;
  auto* live = static_cast<unsigned char*>(std::aligned_alloc(page, size));
  std::vector<unsigned char> copy(size, 1);
  std::memset(live, 1, size);
  int clear = ::open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  int pagemap = ::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  if (clear < 0 || pagemap < 0) {
    std::perror("soft_dirty_bench: cannot open /proc/self/clear_refs or pagemap");
    return 2;
  }
  const off_t at = static_cast<off_t>(reinterpret_cast<std::uintptr_t>(live) / page * 8);
  std::vector<std::uint64_t> entries(pages);
  // Does the kernel keep soft-dirty bits at all (CONFIG_MEM_SOFT_DIRTY)?
  bool works = ::write(clear, "4", 1) == 1;
  live[3 * page] = 2;
  works = works && ::pread(pagemap, entries.data(), 8 * 4, at) == 8 * 4 &&
          ((entries[3] >> 55) & 1) && !((entries[1] >> 55) & 1);
  live[3 * page] = 1;
  const int n = 200;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i)
    if (::write(clear, "4", 1) != 1) return 2;
  double clear_us = us_since(t0, n);
  t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i)
    if (::pread(pagemap, entries.data(), 8 * pages, at) != static_cast<ssize_t>(8 * pages))
      return 2;
  double pagemap_us = us_since(t0, n);
  t0 = std::chrono::steady_clock::now();
  int differ = 0;
  for (int i = 0; i < n; ++i) {
    live[(i * 7919 % pages) * page] ^= 0;  // keep the compiler from hoisting the compare
    asm volatile("" ::: "memory");
    differ += std::memcmp(live, copy.data(), size) != 0;
  }
  double compare_us = us_since(t0, n);
  std::printf(
      "%zu MB (%zu pages): soft-dirty bits %s on this kernel; clear_refs %.1f us + pagemap "
      "read %.1f us = %.1f us per request before comparing the dirty pages; compare with "
      "the copy %.1f us per request%s\n",
      mb, pages, works ? "work" : "do NOT work", clear_us, pagemap_us, clear_us + pagemap_us,
      compare_us, differ ? " (differs?)" : "");
  std::free(live);
  return 0;
}
