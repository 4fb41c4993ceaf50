// The shm Store: creating, attaching and mapping arenas.
#include "shm_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace forksafe::shared::shm {
namespace {

std::string errno_text() { return std::strerror(errno); }

}  // namespace

ShmStore::~ShmStore() {
  if (base_) ::munmap(base_, size_);
  if (own_fd_ && fd_ >= 0) ::close(fd_);
}

std::shared_ptr<ShmStore> ShmStore::map_fd(int fd, bool own_fd, std::uint64_t format_size) {
  struct stat st{};
  if (::fstat(fd, &st) < 0) {
    const std::string why = errno_text();
    if (own_fd) ::close(fd);
    throw Error("cannot open the shared-memory arena: " + why);
  }
  std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
  if (size == 0 && format_size > 0) {
    if (::ftruncate(fd, static_cast<off_t>(format_size)) < 0) {
      const std::string why = errno_text();
      if (own_fd) ::close(fd);
      throw Error("cannot size the shared-memory arena: " + why);
    }
    size = format_size;
  } else {
    format_size = 0;
  }
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    const std::string why = errno_text();
    if (own_fd) ::close(fd);
    throw Error("cannot map the shared-memory arena: " + why);
  }
  std::shared_ptr<ShmStore> store(new ShmStore(fd, own_fd, static_cast<char*>(p), size));
  if (format_size) Arena::format(store->base_, size);
  Arena::validate(store->base_, size);
  return store;
}

std::shared_ptr<ShmStore> ShmStore::create_memfd(std::uint64_t size) {
  int fd = ::memfd_create("forksafe-shared", MFD_CLOEXEC);
  if (fd < 0) throw Error("cannot create the shared-memory arena: " + errno_text());
  return map_fd(fd, true, size);
}

std::shared_ptr<ShmStore> ShmStore::attach_fd(int fd) { return map_fd(fd, false, 0); }

std::shared_ptr<ShmStore> ShmStore::open_file(const std::string& path, std::uint64_t size) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw Error("cannot open shared-memory arena '" + path + "': " + errno_text());
  // Two processes opening a new file at once: the lock makes one format it, the other see it.
  // map_fd closes fd (and so drops the lock) when it throws.
  ::flock(fd, LOCK_EX);
  auto store = map_fd(fd, true, size);
  ::flock(fd, LOCK_UN);
  return store;
}

std::unique_ptr<detail::CounterImpl> ShmStore::counter(const std::string& name) {
  Arena a = arena();
  return make_counter(shared_from_this(), a, a.counter(name));
}

std::unique_ptr<detail::MapImpl> ShmStore::map(const std::string& name, const MapOptions& o) {
  Arena a = arena();
  return make_map(shared_from_this(), a, a.map(name, o), name);
}

bool parse_size(const std::string& text, std::uint64_t* out) {
  if (text.empty()) return false;
  std::uint64_t n = 0;
  std::size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (n > (1ull << 50)) return false;
    n = n * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  if (i == 0) return false;
  std::uint64_t unit = 1;
  if (i < text.size()) {
    switch (text[i]) {
      case 'k':
      case 'K':
        unit = 1ull << 10;
        break;
      case 'm':
      case 'M':
        unit = 1ull << 20;
        break;
      case 'g':
      case 'G':
        unit = 1ull << 30;
        break;
      default:
        return false;
    }
    ++i;
    if (i < text.size() && (text[i] == 'B' || text[i] == 'b')) ++i;
  }
  if (i != text.size() || n > (1ull << 40) / unit) return false;
  *out = n * unit;
  return true;
}

}  // namespace forksafe::shared::shm
