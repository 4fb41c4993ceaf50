// An app that only works with --preload: its counter lives in shared memory that on_init creates
// once in the master, so every worker must inherit the same mapping.
#include <sys/mman.h>

#include <atomic>
#include <forksafe/app.hpp>
#include <new>
#include <stdexcept>
#include <string>

FORKSAFE_REQUIRE_PRELOAD("the hit counter is shared memory that on_init creates before fork");

namespace {

// Written once by on_init in the master, before fork; workers only read the pointer.
std::atomic<long>* hits = nullptr;

}  // namespace

FORKSAFE_APP(app) {
  app.on_init([] {
    void* shared = ::mmap(nullptr, sizeof(std::atomic<long>), PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) throw std::runtime_error("cannot map the hit counter");
    hits = new (shared) std::atomic<long>(0);
  });
  app.get("/", [](const forksafe::Request&) {
    return forksafe::Response::text(std::to_string(hits->fetch_add(1) + 1) + "\n");
  });
}
