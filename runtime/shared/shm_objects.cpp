// The shm backend's Counter (one atomic word) and Map (slots, buckets, free list, LRU list; every
// structural change a journaled transaction, see shm_arena.hpp).
#include <cstring>
#include <vector>

#include "shm_arena.hpp"

namespace forksafe::shared::shm {
namespace {

std::uint64_t hash_bytes(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h ^ (h >> 29);
}

class ShmCounter final : public detail::CounterImpl {
 public:
  ShmCounter(std::shared_ptr<void> keep, Arena arena, std::uint64_t offset)
      : keep_(std::move(keep)), value_(arena.at<std::int64_t>(offset)) {}
  std::int64_t add(std::int64_t delta) override {
    return __atomic_add_fetch(value_, delta, __ATOMIC_SEQ_CST);
  }
  std::int64_t get() override { return __atomic_load_n(value_, __ATOMIC_SEQ_CST); }
  std::int64_t* word() override { return value_; }
  bool compare_and_set(std::int64_t expected, std::int64_t desired) override {
    return __atomic_compare_exchange_n(value_, &expected, desired, false, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST);
  }

 private:
  std::shared_ptr<void> keep_;
  std::int64_t* value_;
};

class ShmMap final : public detail::MapImpl {
 public:
  ShmMap(std::shared_ptr<void> keep, Arena arena, std::uint64_t offset, std::string name)
      : keep_(std::move(keep)),
        arena_(arena),
        m_(arena.at<MapHeader>(offset)),
        name_(std::move(name)) {}

  std::optional<std::string> get(std::string_view key) override {
    const std::uint64_t h = hash_bytes(key);
    Guard guard(arena_, &m_->lock);
    Found f = find(key, h);
    if (!f.slot) return std::nullopt;
    if (expired(f.slot)) {
      Tx tx(arena_, &m_->lock.journal);
      remove(tx, f.slot, f.prev);
      tx.commit();
      return std::nullopt;
    }
    if (m_->evict_lru) {
      Tx tx(arena_, &m_->lock.journal);
      touch(tx, f.slot);
      tx.commit();
    }
    return std::string(value_of(f.slot));
  }

  void put(std::string_view key, std::string_view value, std::chrono::milliseconds ttl) override {
    check_sizes(key, value.size());
    const std::uint64_t h = hash_bytes(key);
    Guard guard(arena_, &m_->lock);
    store(key, h, value, ttl);
  }

  bool erase(std::string_view key) override {
    const std::uint64_t h = hash_bytes(key);
    Guard guard(arena_, &m_->lock);
    Found f = find(key, h);
    if (!f.slot) return false;
    const bool was_live = !expired(f.slot);
    Tx tx(arena_, &m_->lock.journal);
    remove(tx, f.slot, f.prev);
    tx.commit();
    return was_live;
  }

  std::optional<std::string> update(std::string_view key, const detail::UpdateFn& fn,
                                    std::chrono::milliseconds ttl) override {
    check_sizes(key, 0);
    const std::uint64_t h = hash_bytes(key);
    Guard guard(arena_, &m_->lock);
    Found f = find(key, h);
    if (f.slot && expired(f.slot)) {
      Tx tx(arena_, &m_->lock.journal);
      remove(tx, f.slot, f.prev);
      tx.commit();
      f = {};
    }
    std::optional<std::string_view> current;
    if (f.slot) current = value_of(f.slot);
    std::optional<std::string> next = fn(current);  // a throw leaves the map unchanged
    if (!next) {
      if (f.slot) {
        Tx tx(arena_, &m_->lock.journal);
        remove(tx, f.slot, f.prev);
        tx.commit();
      }
      return std::nullopt;
    }
    check_sizes(key, next->size());
    store(key, h, *next, ttl);
    return next;
  }

  std::size_t size() override { return __atomic_load_n(&m_->count, __ATOMIC_RELAXED); }

 private:
  struct Found {
    std::uint64_t slot = 0;
    std::uint64_t prev = 0;  // previous slot in the chain; 0: the bucket points to `slot`
  };

  SlotHeader* slot(std::uint64_t n) const {
    return arena_.at<SlotHeader>(m_->slots_offset + (n - 1) * m_->slot_size);
  }
  std::uint64_t& bucket(std::uint64_t h) const {
    return arena_.at<std::uint64_t>(m_->buckets_offset)[h & (m_->buckets - 1)];
  }
  static char* data_of(SlotHeader* s) { return reinterpret_cast<char*>(s + 1); }
  std::string_view key_of(std::uint64_t n) const {
    SlotHeader* s = slot(n);
    return {data_of(s), s->key_len};
  }
  std::string_view value_of(std::uint64_t n) const {
    SlotHeader* s = slot(n);
    return {data_of(s) + s->key_len, s->value_len};
  }
  bool expired(std::uint64_t n) const {
    const std::int64_t at = slot(n)->expires_ms;
    return at != 0 && now_ms() >= at;
  }

  void check_sizes(std::string_view key, std::size_t value_size) const {
    if (key.size() > m_->max_key)
      throw Error("cannot store in shared map '" + name_ + "': a key of " +
                  std::to_string(key.size()) + " bytes is over the map's limit of " +
                  std::to_string(m_->max_key) + " (MapOptions::max_key_bytes)");
    if (value_size > m_->max_value)
      throw Error("cannot store in shared map '" + name_ + "': a value of " +
                  std::to_string(value_size) + " bytes is over the map's limit of " +
                  std::to_string(m_->max_value) + " (MapOptions::max_value_bytes)");
  }

  Found find(std::string_view key, std::uint64_t h) const {
    Found f;
    for (std::uint64_t n = bucket(h); n; n = slot(n)->next) {
      if (slot(n)->hash == h && key_of(n) == key) {
        f.slot = n;
        return f;
      }
      f.prev = n;
    }
    return {};
  }

  // Chain and recency-list edits, all through `tx`.
  void lru_unlink(Tx& tx, std::uint64_t n) {
    SlotHeader* s = slot(n);
    const std::uint64_t prev = tx.get(s->lru_prev), next = tx.get(s->lru_next);
    if (prev)
      tx.set(slot(prev)->lru_next, next);
    else
      tx.set(m_->lru_head, next);
    if (next)
      tx.set(slot(next)->lru_prev, prev);
    else
      tx.set(m_->lru_tail, prev);
    tx.set(s->lru_prev, 0);
    tx.set(s->lru_next, 0);
  }
  void lru_push_front(Tx& tx, std::uint64_t n) {
    const std::uint64_t head = tx.get(m_->lru_head);
    tx.set(slot(n)->lru_prev, 0);
    tx.set(slot(n)->lru_next, head);
    if (head)
      tx.set(slot(head)->lru_prev, n);
    else
      tx.set(m_->lru_tail, n);
    tx.set(m_->lru_head, n);
  }
  void touch(Tx& tx, std::uint64_t n) {
    if (tx.get(m_->lru_head) == n) return;
    lru_unlink(tx, n);
    lru_push_front(tx, n);
  }
  void free_slot(Tx& tx, std::uint64_t n) {
    tx.set(slot(n)->live, 0);
    tx.set(slot(n)->next, tx.get(m_->free_head));
    tx.set(m_->free_head, n);
  }
  void remove(Tx& tx, std::uint64_t n, std::uint64_t prev) {
    const std::uint64_t next = tx.get(slot(n)->next);
    if (prev)
      tx.set(slot(prev)->next, next);
    else
      tx.set(bucket(slot(n)->hash), next);
    if (m_->evict_lru) lru_unlink(tx, n);
    free_slot(tx, n);
    tx.set(m_->count, tx.get(m_->count) - 1);
  }
  std::uint64_t prev_in_chain(std::uint64_t n) const {
    std::uint64_t prev = 0;
    for (std::uint64_t i = bucket(slot(n)->hash); i && i != n; i = slot(i)->next) prev = i;
    return prev;
  }

  // Makes room for one more key: drops expired entries, then evicts or refuses.
  void make_room() {
    if (m_->count < m_->max_entries) return;
    for (std::uint64_t n = 1; n <= m_->slots; ++n) {
      if (!slot(n)->live || !expired(n)) continue;
      Tx tx(arena_, &m_->lock.journal);
      remove(tx, n, prev_in_chain(n));
      tx.commit();
    }
    if (m_->count < m_->max_entries) return;
    if (!m_->evict_lru)
      throw Error("cannot add to shared map '" + name_ + "': it is full (" +
                  std::to_string(m_->max_entries) +
                  " entries; raise MapOptions::max_entries or set evict_lru)");
    const std::uint64_t victim = m_->lru_tail;
    Tx tx(arena_, &m_->lock.journal);
    remove(tx, victim, prev_in_chain(victim));
    tx.set(m_->evictions, m_->evictions + 1);
    tx.commit();
  }

  // Inserts or replaces under the map's lock: the new bytes go into a free slot, then one
  // transaction links it in place of the old one (or at the bucket's head) and frees the old.
  void store(std::string_view key, std::uint64_t h, std::string_view value,
             std::chrono::milliseconds ttl) {
    Found f = find(key, h);
    if (f.slot && expired(f.slot)) {
      Tx tx(arena_, &m_->lock.journal);
      remove(tx, f.slot, f.prev);
      tx.commit();
      f = {};
    }
    if (!f.slot) make_room();
    const std::uint64_t n = m_->free_head;
    if (n == 0) throw std::logic_error("shared map has no free slot");  // max_entries + 1 slots
    SlotHeader* s = slot(n);
    s->hash = h;
    s->expires_ms = ttl.count() > 0 ? now_ms() + ttl.count() : 0;
    s->key_len = key.size();
    s->value_len = value.size();
    std::memcpy(data_of(s), key.data(), key.size());
    if (!value.empty()) std::memcpy(data_of(s) + key.size(), value.data(), value.size());

    Tx tx(arena_, &m_->lock.journal);
    tx.set(m_->free_head, s->next);
    tx.set(s->live, 1);
    if (f.slot) {
      SlotHeader* old = slot(f.slot);
      tx.set(s->next, old->next);
      if (f.prev)
        tx.set(slot(f.prev)->next, n);
      else
        tx.set(bucket(h), n);
      if (m_->evict_lru) lru_unlink(tx, f.slot);
      free_slot(tx, f.slot);
    } else {
      tx.set(s->next, bucket(h));
      tx.set(bucket(h), n);
      tx.set(m_->count, m_->count + 1);
    }
    if (m_->evict_lru) lru_push_front(tx, n);
    tx.commit();
  }

  std::shared_ptr<void> keep_;
  Arena arena_;
  MapHeader* m_;
  std::string name_;
};

std::string check_map(Arena arena, MapHeader* m, const std::string& name) {
  Guard guard(arena, &m->lock);
  auto slot = [&](std::uint64_t n) {
    return arena.at<SlotHeader>(m->slots_offset + (n - 1) * m->slot_size);
  };
  auto bad = [&](const std::string& what) { return "map '" + name + "': " + what; };
  std::vector<char> seen(m->slots + 1, 0);
  std::uint64_t live = 0;
  const auto* buckets = arena.at<std::uint64_t>(m->buckets_offset);
  for (std::uint64_t b = 0; b < m->buckets; ++b) {
    for (std::uint64_t n = buckets[b]; n; n = slot(n)->next) {
      if (n > m->slots) return bad("chain points outside the slots");
      if (seen[n]) return bad("slot " + std::to_string(n) + " linked twice");
      seen[n] = 1;
      if (!slot(n)->live) return bad("a chained slot is not live");
      if ((slot(n)->hash & (m->buckets - 1)) != b) return bad("a slot is in the wrong bucket");
      ++live;
    }
  }
  if (live != m->count)
    return bad("count " + std::to_string(m->count) + " but " + std::to_string(live) + " linked");
  std::uint64_t free = 0;
  for (std::uint64_t n = m->free_head; n; n = slot(n)->next) {
    if (n > m->slots || seen[n]) return bad("free list overlaps the chains or loops");
    seen[n] = 2;
    if (slot(n)->live) return bad("a free slot is marked live");
    ++free;
  }
  if (free + live != m->slots) return bad(std::to_string(m->slots - free - live) + " slot(s) lost");
  if (m->evict_lru) {
    std::uint64_t listed = 0, prev = 0;
    for (std::uint64_t n = m->lru_head; n; prev = n, n = slot(n)->lru_next) {
      if (n > m->slots || seen[n] != 1 || ++listed > live) return bad("recency list is broken");
      if (slot(n)->lru_prev != prev) return bad("recency list back link is wrong");
    }
    if (listed != live || m->lru_tail != prev) return bad("recency list misses entries");
  }
  return {};
}

}  // namespace

std::string check_arena(Arena arena) {
  for (const DirEntry& e : arena.header()->dir) {
    if (__atomic_load_n(&e.kind, __ATOMIC_ACQUIRE) != kKindMap) continue;
    std::string problem = check_map(arena, arena.at<MapHeader>(e.offset), e.name);
    if (!problem.empty()) return problem;
  }
  return {};
}

std::unique_ptr<detail::CounterImpl> make_counter(std::shared_ptr<void> keep, Arena arena,
                                                  std::uint64_t offset) {
  return std::make_unique<ShmCounter>(std::move(keep), arena, offset);
}

std::unique_ptr<detail::MapImpl> make_map(std::shared_ptr<void> keep, Arena arena,
                                          std::uint64_t offset, std::string name) {
  return std::make_unique<ShmMap>(std::move(keep), arena, offset, std::move(name));
}

}  // namespace forksafe::shared::shm
