// The shm Store: owns one mapping of an arena (a memfd made by forksafe-serve, or a file).
#ifndef FORKSAFE_SHARED_SHM_STORE_HPP
#define FORKSAFE_SHARED_SHM_STORE_HPP

#include <cstdint>
#include <memory>
#include <string>

#include "forksafe/shared.hpp"
#include "shm_arena.hpp"

namespace forksafe::shared::shm {

class ShmStore final : public Store, public std::enable_shared_from_this<ShmStore> {
 public:
  ~ShmStore() override;
  ShmStore(const ShmStore&) = delete;
  ShmStore& operator=(const ShmStore&) = delete;

  /// A new anonymous arena (memfd, MAP_SHARED) of `size` bytes. Its descriptor (fd()) is
  /// close-on-exec: forked workers inherit it, a re-exec'd binary does not.
  static std::shared_ptr<ShmStore> create_memfd(std::uint64_t size);
  /// Maps the arena behind descriptor `fd` (the one forksafe-serve passes as "shm-fd:N").
  static std::shared_ptr<ShmStore> attach_fd(int fd);
  /// Maps (creating and formatting it if new or empty) the arena file at `path`.
  static std::shared_ptr<ShmStore> open_file(const std::string& path, std::uint64_t size);

  int fd() const { return fd_; }
  Arena arena() const { return Arena(base_, size_); }

  StoreStats stats() override { return arena().stats(); }
  std::unique_ptr<detail::CounterImpl> counter(const std::string& name) override;
  std::unique_ptr<detail::MapImpl> map(const std::string& name, const MapOptions& o) override;

 private:
  ShmStore(int fd, bool own_fd, char* base, std::size_t size)
      : fd_(fd), own_fd_(own_fd), base_(base), size_(size) {}
  static std::shared_ptr<ShmStore> map_fd(int fd, bool own_fd, std::uint64_t format_size);

  int fd_;
  bool own_fd_;
  char* base_;
  std::size_t size_;
};

/// "64M", "1G", "65536" -> bytes (K, M, G are powers of 1024); false on anything else.
bool parse_size(const std::string& text, std::uint64_t* out);

}  // namespace forksafe::shared::shm

#endif  // FORKSAFE_SHARED_SHM_STORE_HPP
