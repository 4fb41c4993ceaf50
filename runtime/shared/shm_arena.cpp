// The shm arena: formatting, the object directory, robust locks with journal recovery, stats.
#include "shm_arena.hpp"

#include <time.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace forksafe::shared::shm {
namespace {

constexpr std::uint64_t kAlign = 64;

std::uint64_t align_up(std::uint64_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

std::uint64_t load(const std::uint64_t& word) { return __atomic_load_n(&word, __ATOMIC_RELAXED); }

void init_robust_mutex(pthread_mutex_t* m) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  int rc = pthread_mutex_init(m, &attr);
  pthread_mutexattr_destroy(&attr);
  if (rc != 0) throw Error(std::string("cannot create a shared-memory lock: ") + std::strerror(rc));
}

std::uint64_t next_pow2(std::uint64_t n) {
  std::uint64_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace

std::int64_t now_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void Arena::format(char* base, std::size_t size) {
  if (size < align_up(sizeof(ArenaHeader)) + 4096)
    throw Error("cannot create the shared-memory arena: " + std::to_string(size) +
                " bytes is too small (at least " +
                std::to_string(align_up(sizeof(ArenaHeader)) + 4096) + ")");
  auto* h = reinterpret_cast<ArenaHeader*>(base);
  std::memset(h, 0, sizeof *h);
  init_robust_mutex(&h->lock.mutex);
  h->size = size;
  h->bump = align_up(sizeof(ArenaHeader));
  __atomic_store_n(&h->magic, kMagic, __ATOMIC_RELEASE);
}

void Arena::validate(const char* base, std::size_t size) {
  const auto* h = reinterpret_cast<const ArenaHeader*>(base);
  if (size < sizeof(ArenaHeader) || __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != kMagic ||
      h->size != size)
    throw Error("cannot open the shared-memory arena: not a forksafe arena of this version");
}

void replay(Arena& arena, Journal* j) {
  if (__atomic_load_n(&j->committed, __ATOMIC_ACQUIRE)) {
    for (std::uint64_t i = 0; i < j->count && i < kJournalWords; ++i)
      __atomic_store_n(arena.at<std::uint64_t>(j->offset[i]), j->value[i], __ATOMIC_RELAXED);
  }
  __atomic_store_n(&j->committed, 0, __ATOMIC_RELEASE);
}

void Arena::lock(RobustLock* l) {
  int rc = pthread_mutex_lock(&l->mutex);
  if (rc == EOWNERDEAD) {
    // The holder died. Its journal says whether its update committed: finish it or drop it.
    replay(*this, &l->journal);
    pthread_mutex_consistent(&l->mutex);
    __atomic_fetch_add(&header()->lock_recoveries, 1, __ATOMIC_RELAXED);
  } else if (rc != 0) {
    throw Error(std::string("cannot lock shared state: ") + std::strerror(rc));
  }
}

void Arena::unlock(RobustLock* l) { pthread_mutex_unlock(&l->mutex); }

std::uint64_t Tx::get(const std::uint64_t& word) const {
  const std::uint64_t off = arena_.offset_of(&word);
  for (std::size_t i = count_; i-- > 0;)
    if (offset_[i] == off) return value_[i];
  return load(word);
}

void Tx::set(std::uint64_t& word, std::uint64_t value) {
  const std::uint64_t off = arena_.offset_of(&word);
  for (std::size_t i = 0; i < count_; ++i) {
    if (offset_[i] == off) {
      value_[i] = value;
      return;
    }
  }
  if (count_ == kJournalWords) throw std::logic_error("shared-memory transaction too large");
  offset_[count_] = off;
  value_[count_] = value;
  ++count_;
}

void Tx::commit() {
  if (count_ == 0) return;
  for (std::size_t i = 0; i < count_; ++i) {
    journal_->offset[i] = offset_[i];
    journal_->value[i] = value_[i];
  }
  journal_->count = count_;
  // The commit point. The fences keep the compiler and the CPU from moving a journal write after
  // it or an applied write before it.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  __atomic_store_n(&journal_->committed, 1, __ATOMIC_SEQ_CST);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  // Release: a lock-free reader (the master's stats) that sees a later word (a directory entry's
  // kind) also sees the earlier ones (its offset).
  for (std::size_t i = 0; i < count_; ++i)
    __atomic_store_n(arena_.at<std::uint64_t>(offset_[i]), value_[i], __ATOMIC_RELEASE);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  __atomic_store_n(&journal_->committed, 0, __ATOMIC_SEQ_CST);
  count_ = 0;
}

std::uint64_t Arena::counter(const std::string& name) {
  return find_or_create(name, kKindCounter, kAlign, nullptr);
}

std::uint64_t Arena::map(const std::string& name, const MapOptions& o) {
  if (o.max_entries == 0 || o.max_entries > (1u << 30) || o.max_key_bytes == 0 ||
      o.max_key_bytes > (1u << 20) || o.max_value_bytes > (1u << 30))
    throw Error("cannot create shared map '" + name +
                "': max_entries must be 1..2^30, max_key_bytes 1..2^20, max_value_bytes <= 2^30");
  const std::uint64_t slot_size =
      (sizeof(SlotHeader) + o.max_key_bytes + o.max_value_bytes + 7) / 8 * 8;
  const std::uint64_t slots = o.max_entries + 1;
  const std::uint64_t buckets = next_pow2(o.max_entries);
  const std::uint64_t bytes =
      align_up(sizeof(MapHeader)) + align_up(buckets * 8) + slots * slot_size;
  return find_or_create(name, kKindMap, bytes, &o);
}

std::uint64_t Arena::find_or_create(const std::string& name, std::uint64_t kind,
                                    std::uint64_t bytes, const MapOptions* o) {
  const char* what = kind == kKindMap ? "map" : "counter";
  if (name.empty() || name.size() >= kNameBytes)
    throw Error(std::string("cannot open shared ") + what + " '" + name + "': a name is 1.." +
                std::to_string(kNameBytes - 1) + " bytes");
  ArenaHeader* h = header();
  Guard guard(*this, &h->lock);
  DirEntry* free_entry = nullptr;
  for (DirEntry& e : h->dir) {
    const std::uint64_t k = load(e.kind);
    if (k == 0) {
      if (!free_entry) free_entry = &e;
      continue;
    }
    // Counters and maps have separate names, as on Redis.
    if (k != kind || std::strncmp(e.name, name.c_str(), kNameBytes) != 0) continue;
    return load(e.offset);
  }
  if (!free_entry)
    throw Error(std::string("cannot create shared ") + what + " '" + name + "': all " +
                std::to_string(kMaxObjects) + " names of the arena are used");
  const std::uint64_t offset = load(h->bump);
  if (offset + bytes > h->size)
    throw Error(std::string("cannot create shared ") + what + " '" + name + "': it needs " +
                std::to_string(bytes) + " bytes and the shared-memory arena has " +
                std::to_string(h->size - offset) + " of " + std::to_string(h->size) +
                " left (raise --shared-memory)");
  // Initialise the object while nothing points to it, then publish it in one transaction.
  std::memset(base_ + offset, 0, bytes);
  if (kind == kKindMap) {
    auto* m = at<MapHeader>(offset);
    init_robust_mutex(&m->lock.mutex);
    m->max_entries = o->max_entries;
    m->evict_lru = o->evict_lru ? 1 : 0;
    m->max_key = o->max_key_bytes;
    m->max_value = o->max_value_bytes;
    m->slot_size = (sizeof(SlotHeader) + o->max_key_bytes + o->max_value_bytes + 7) / 8 * 8;
    m->slots = o->max_entries + 1;
    m->buckets = next_pow2(o->max_entries);
    m->buckets_offset = offset + align_up(sizeof(MapHeader));
    m->slots_offset = m->buckets_offset + align_up(m->buckets * 8);
    for (std::uint64_t i = 1; i <= m->slots; ++i) {
      auto* s = at<SlotHeader>(m->slots_offset + (i - 1) * m->slot_size);
      s->next = i < m->slots ? i + 1 : 0;
    }
    m->free_head = 1;
  }
  std::memcpy(free_entry->name, name.c_str(), name.size() + 1);
  Tx tx(*this, &h->lock.journal);
  tx.set(h->bump, offset + align_up(bytes));
  tx.set(free_entry->offset, offset);
  tx.set(free_entry->kind, kind);
  tx.set(h->objects, load(h->objects) + 1);
  tx.commit();
  return offset;
}

StoreStats Arena::stats() const {
  StoreStats s;
  s.backend = "shm";
  const ArenaHeader* h = header();
  s.bytes_total = h->size;
  s.bytes_used = load(h->bump);
  s.objects = load(h->objects);
  s.lock_recoveries = load(h->lock_recoveries);
  for (const DirEntry& e : h->dir) {
    if (__atomic_load_n(&e.kind, __ATOMIC_ACQUIRE) != kKindMap) continue;
    const auto* m = at<MapHeader>(load(e.offset));
    s.entries += load(m->count);
    s.evictions += load(m->evictions);
  }
  return s;
}

}  // namespace forksafe::shared::shm
