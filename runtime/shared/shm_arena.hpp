// The shm backend's arena: layout, robust locks and the redo journal that makes every update of a
// shared structure atomic even when the process making it is killed halfway.
//
// DESIGN. One MAP_SHARED region (a memfd the master creates before forking, or a file) holds a
// header, a directory of named objects and the objects, laid out by a bump pointer and never
// freed: a counter is one int64 updated with one atomic instruction; a map is a fixed pool of
// equal slots (max_entries + 1, so a replace always finds a free one) with chained hash buckets,
// a free list and, with evict_lru, a doubly linked recency list. Everything is addressed by
// offsets, so processes may map the region at different addresses.
//
// Every structural change (links, counts, the free list, the bump pointer, the directory) is a
// transaction of 64-bit word writes: Tx buffers them, then commit() copies them into the lock's
// journal, marks it committed with one store, applies them and clears the mark. Key and value
// bytes go into a slot that is still on the free list until the commit links it, so they need no
// journal. The locks are process-shared robust mutexes: when a holder dies, the next locker gets
// EOWNERDEAD, replays a committed journal (or ignores an uncommitted one: the structure is then
// exactly as before the dead holder's update), marks the mutex consistent and counts a recovery.
#ifndef FORKSAFE_SHARED_SHM_ARENA_HPP
#define FORKSAFE_SHARED_SHM_ARENA_HPP

#include <pthread.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "forksafe/shared.hpp"

namespace forksafe::shared::shm {

inline constexpr std::uint64_t kMagic = 0x3161'7261'6e65'7366;  // "fsenara1"
inline constexpr std::size_t kJournalWords = 64;
inline constexpr std::size_t kNameBytes = 64;
inline constexpr std::size_t kMaxObjects = 256;
inline constexpr std::uint64_t kKindCounter = 1;
inline constexpr std::uint64_t kKindMap = 2;

struct Journal {
  std::uint64_t committed;
  std::uint64_t count;
  std::uint64_t offset[kJournalWords];
  std::uint64_t value[kJournalWords];
};

struct RobustLock {
  pthread_mutex_t mutex;
  Journal journal;
};

struct DirEntry {
  char name[kNameBytes];
  std::uint64_t kind;    // 0: free
  std::uint64_t offset;  // of the object, from the arena's start
};

struct ArenaHeader {
  std::uint64_t magic;
  std::uint64_t size;
  std::uint64_t bump;  // first unreserved byte
  std::uint64_t objects;
  std::uint64_t lock_recoveries;
  RobustLock lock;  // the directory and the bump pointer
  DirEntry dir[kMaxObjects];
};

struct MapHeader {
  RobustLock lock;
  std::uint64_t max_entries, evict_lru, max_key, max_value;
  std::uint64_t slot_size, slots, buckets;
  std::uint64_t buckets_offset, slots_offset;
  // Journaled state. Slot numbers are 1-based; 0 is "none".
  std::uint64_t free_head, lru_head, lru_tail, count, evictions;
};

struct SlotHeader {
  std::uint64_t next;  // hash chain when live, free list otherwise
  std::uint64_t lru_prev, lru_next;
  std::uint64_t live;
  // Written before the slot is linked (not journaled):
  std::uint64_t hash;
  std::int64_t expires_ms;  // CLOCK_MONOTONIC; 0: never
  std::uint64_t key_len, value_len;
  // key bytes, then value bytes
};

/// A view of a mapped arena. Does not own the mapping.
class Arena {
 public:
  Arena(char* base, std::size_t size) : base_(base), size_(size) {}

  /// Formats fresh (zeroed) memory; throws shared::Error when `size` is too small.
  static void format(char* base, std::size_t size);
  /// Throws shared::Error unless `base` holds a formatted arena of `size` bytes.
  static void validate(const char* base, std::size_t size);

  ArenaHeader* header() const { return reinterpret_cast<ArenaHeader*>(base_); }
  char* base() const { return base_; }
  template <class T>
  T* at(std::uint64_t offset) const {
    return reinterpret_cast<T*>(base_ + offset);
  }
  std::uint64_t offset_of(const void* p) const {
    return static_cast<std::uint64_t>(static_cast<const char*>(p) - base_);
  }

  /// Finds or creates the named object; returns its offset. Throws shared::Error when the arena
  /// or the directory is full, the name is too long or names an object of the other kind.
  std::uint64_t counter(const std::string& name);
  std::uint64_t map(const std::string& name, const MapOptions& options);

  void lock(RobustLock* l);
  void unlock(RobustLock* l);
  StoreStats stats() const;

 private:
  std::uint64_t find_or_create(const std::string& name, std::uint64_t kind, std::uint64_t bytes,
                               const MapOptions* options);
  char* base_;
  std::size_t size_;
};

/// Holds a RobustLock for a scope.
class Guard {
 public:
  Guard(Arena& arena, RobustLock* l) : arena_(arena), lock_(l) { arena_.lock(lock_); }
  ~Guard() { arena_.unlock(lock_); }
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;

 private:
  Arena& arena_;
  RobustLock* lock_;
};

/// Buffered word writes, committed through a lock's journal (see the design note above).
class Tx {
 public:
  Tx(Arena& arena, Journal* journal) : arena_(arena), journal_(journal) {}
  std::uint64_t get(const std::uint64_t& word) const;
  void set(std::uint64_t& word, std::uint64_t value);
  void commit();

 private:
  Arena& arena_;
  Journal* journal_;
  std::size_t count_ = 0;
  std::uint64_t offset_[kJournalWords];
  std::uint64_t value_[kJournalWords];
};

/// Applies a committed journal again (idempotent) and clears it; for lock recovery.
void replay(Arena& arena, Journal* journal);

/// CLOCK_MONOTONIC in milliseconds: one clock for every process on the machine.
std::int64_t now_ms();

/// The CounterImpl and MapImpl of the shm backend, on `arena` (kept alive by `keep`).
std::unique_ptr<detail::CounterImpl> make_counter(std::shared_ptr<void> keep, Arena arena,
                                                  std::uint64_t offset);
std::unique_ptr<detail::MapImpl> make_map(std::shared_ptr<void> keep, Arena arena,
                                          std::uint64_t offset, std::string name);

/// Checks every map's invariants (chains, free list, recency list, count) under its lock; returns
/// the first problem found, or empty. For tests and for diagnosing an arena.
std::string check_arena(Arena arena);

}  // namespace forksafe::shared::shm

#endif  // FORKSAFE_SHARED_SHM_ARENA_HPP
