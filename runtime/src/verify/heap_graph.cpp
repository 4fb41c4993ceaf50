// Reachability from the app's globals into the heap, the blocks' snapshot and per-request diff.
#include "verify/heap_graph.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <limits>

namespace forksafe::serve::verify {

namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
constexpr std::uintptr_t kWord = 8;
// Blocks closer than this are copied and compared as one span (the gap is an allocator header).
constexpr std::uintptr_t kSpanGap = 64;
// Lowest and highest user-space address a pointer can hold on x86-64 / AArch64 (48-bit).
constexpr std::uint64_t kLowest = 0x10000, kHighest = std::uint64_t{1} << 47;

std::uintptr_t align_up(std::uintptr_t a) { return (a + kWord - 1) & ~(kWord - 1); }

}  // namespace

void HeapGraph::start(std::vector<Root> roots, std::size_t limit) {
  roots_ = std::move(roots);
  std::sort(roots_.begin(), roots_.end(),
            [](const Root& a, const Root& b) { return a.range.begin < b.range.begin; });
  limit_ = limit;
  heap_.refresh();
  rescan(true);
  rescans_ = 0;
}

std::size_t HeapGraph::root_at(std::uintptr_t v) const {
  auto it = std::upper_bound(roots_.begin(), roots_.end(), v,
                             [](std::uintptr_t a, const Root& r) { return a < r.range.begin; });
  if (it == roots_.begin()) return kNone;
  --it;
  return v < it->range.end ? static_cast<std::size_t>(it - roots_.begin()) : kNone;
}

std::size_t HeapGraph::block_at(std::uintptr_t v) const {
  auto it = std::upper_bound(blocks_.begin(), blocks_.end(), v,
                             [](std::uintptr_t a, const Block& b) { return a < b.range.begin; });
  if (it == blocks_.begin()) return kNone;
  --it;
  return v < it->range.end ? static_cast<std::size_t>(it - blocks_.begin()) : kNone;
}

void HeapGraph::blocks_in(const Range& r, std::vector<std::size_t>* hits) const {
  std::size_t i = block_at(r.begin);
  if (i == kNone) {
    auto it = std::upper_bound(blocks_.begin(), blocks_.end(), r.begin,
                               [](std::uintptr_t a, const Block& b) { return a < b.range.begin; });
    i = static_cast<std::size_t>(it - blocks_.begin());
  }
  for (; i < blocks_.size() && blocks_[i].range.begin < r.end; ++i) hits->push_back(i);
}

bool HeapGraph::was_tracked(std::uintptr_t begin) const {
  auto it = std::lower_bound(blocks_.begin(), blocks_.end(), begin,
                             [](const Block& b, std::uintptr_t a) { return b.range.begin < a; });
  return it != blocks_.end() && it->range.begin == begin;
}

bool HeapGraph::in_written(std::uintptr_t a) const {
  // Any byte of the word at `a`: a new pointer often differs from the old one in a few bytes only.
  auto it = std::lower_bound(written_.begin(), written_.end(), a + kWord,
                             [](const Range& r, std::uintptr_t v) { return r.begin < v; });
  return it != written_.begin() && std::prev(it)->end > a;
}

void HeapGraph::rescan(bool first) {
  ++rescans_;
  std::vector<Block> found;
  std::unordered_map<std::uintptr_t, std::size_t> at;  // block start -> index into found
  pointed_by_.clear();
  bytes_ = 0;
  std::vector<std::size_t> pending;
  std::vector<unsigned char> copy;  // a block that a free could unmap, read through the kernel
  const Range arena = heap_.main_arena();
  for (std::size_t r = 0; r < roots_.size(); ++r) {
    const Root& root = roots_[r];
    // After the first search, a block not tracked before is followed only from a word this request
    // wrote (or from inside another such block): a real pointer to a new block was just written,
    // while an unchanged word that now leads somewhere new is stale memory (slack behind a short
    // allocation, a container's unused capacity) whose target the allocator handed out again.
    // `bytes`: a copy of [from, to) to read instead of live memory (null: read it directly).
    auto visit = [&](std::uintptr_t from, std::uintptr_t to, bool from_root, bool from_new,
                     const unsigned char* bytes) {
      for (std::uintptr_t a = align_up(from); a + kWord <= to; a += kWord) {
        std::uint64_t v = 0;
        if (bytes) {
          std::memcpy(&v, bytes + (a - from), sizeof v);
        } else {
          v = live_word(a);
        }
        if (v < kLowest || v >= kHighest) continue;
        if (v >= root.range.begin && v < root.range.end) continue;  // into itself
        if (from_root) {
          std::size_t target = root_at(v);
          if (target != kNone) {
            auto& owners = pointed_by_[roots_[target].symbol];
            if (owners.empty() || owners.back() != root.symbol) owners.push_back(root.symbol);
            continue;
          }
        }
        Range b = heap_.block_of(v);
        if (b.end == 0) continue;
        if (!first && !from_new && !was_tracked(b.begin) && !in_written(a)) continue;
        auto [it, inserted] = at.try_emplace(b.begin, found.size());
        if (inserted) {
          if (bytes_ + (b.end - b.begin) > limit_) {
            limit_reached_ = true;
            at.erase(it);
            continue;
          }
          bytes_ += b.end - b.begin;
          found.push_back(Block{b, {}, 0, !first && !was_tracked(b.begin)});
        }
        Block& block = found[it->second];
        if (block.stamp == r + 1) continue;
        block.stamp = r + 1;
        block.owners.push_back(root.symbol);
        pending.push_back(it->second);
      }
    };
    visit(root.range.begin, root.range.end, true, false, nullptr);
    while (!pending.empty()) {
      std::size_t i = pending.back();
      pending.pop_back();
      Range b = found[i].range;
      // A glibc chunk's last word may lie beyond the size the app asked for (chunks are rounded
      // up to 16 bytes), holding a stale value from the chunk's previous use: not followed.
      std::uintptr_t end =
          heap_.allocator() == HeapBlocks::Allocator::kGlibc ? b.end - kWord : b.end;
      if (b.begin >= arena.begin && b.end <= arena.end) {
        visit(b.begin, end, false, found[i].fresh, nullptr);
        continue;
      }
      copy.resize(end - b.begin);
      if (read_guarded(copy.data(), b.begin, copy.size()))
        visit(b.begin, end, false, found[i].fresh, copy.data());
    }
  }
  std::sort(found.begin(), found.end(),
            [](const Block& a, const Block& b) { return a.range.begin < b.range.begin; });
  for (Block& b : found) std::sort(b.owners.begin(), b.owners.end());
  blocks_ = std::move(found);
  take_snapshot();
}

void HeapGraph::take_snapshot() {
  std::vector<Range> spans;
  for (const Block& b : blocks_) {
    if (!spans.empty() && b.range.begin <= spans.back().end + kSpanGap) {
      spans.back().end = std::max(spans.back().end, b.range.end);
    } else {
      spans.push_back(b.range);
    }
  }
  // Main-arena spans are read directly: they stay mapped while below the program break (checked
  // before every diff). Anything else — mmapped chunks, thread arenas, a sanitizer's allocator —
  // may be unmapped by a free, so it is read through the kernel (read_guarded).
  std::vector<Range> direct, guarded;
  const Range arena = heap_.main_arena();
  for (const Range& r : spans)
    (r.begin >= arena.begin && r.end <= arena.end ? direct : guarded).push_back(r);
  direct_.take(direct, Snapshot::Reads::kDirect);
  guarded_.take(guarded, Snapshot::Reads::kGuarded);
}

std::uint64_t HeapGraph::old_word(std::uintptr_t a) const {
  return direct_.old_word(a) | guarded_.old_word(a);  // at most one of them holds `a`
}

std::uint64_t HeapGraph::current_word(std::uintptr_t a) const {
  const Range arena = heap_.main_arena();
  if (a >= arena.begin && a + kWord <= arena.end) return live_word(a);
  std::uint64_t v = 0;
  read_guarded(reinterpret_cast<unsigned char*>(&v), a, sizeof v);
  return v;
}

bool HeapGraph::maybe_pointer(std::uint64_t v, bool* refreshed) {
  if (v < kLowest || v >= kHighest) return false;
  if (root_at(v) != kNone || heap_.in_heap_mappings(v)) return true;
  if (v % 16 != 0 || *refreshed) return false;
  // Perhaps a block in a mapping created since the last look (a large allocation): look again,
  // once per request.
  *refreshed = true;
  heap_.refresh();
  return heap_.in_heap_mappings(v);
}

void HeapGraph::after_request(const std::vector<Range>& changed_globals, const Snapshot& globals,
                              const std::vector<std::size_t>& changed_symbols,
                              std::vector<Touch>* out) {
  for (std::size_t s : changed_symbols) {
    auto it = pointed_by_.find(s);
    if (it == pointed_by_.end()) continue;
    for (std::size_t owner : it->second) out->push_back({owner, kViaPointer});
  }
  changed_.clear();
  // A span above the program break was trimmed away, a guarded one unmapped: blocks were freed.
  const auto brk = reinterpret_cast<std::uintptr_t>(::sbrk(0));
  bool complete = direct_.diff(&changed_, brk);
  complete = guarded_.diff(&changed_) && complete;
  hits_.clear();
  for (const Range& r : changed_) blocks_in(r, &hits_);
  std::sort(hits_.begin(), hits_.end());
  hits_.erase(std::unique(hits_.begin(), hits_.end()), hits_.end());
  // Did a pointer change? Then the set of reachable blocks may have changed too. Only bytes of
  // globals and blocks count: the gaps between blocks hold the allocator's own pointers.
  bool refreshed = false, pointers = !complete;
  for (const Range& r : changed_globals) {
    for (std::uintptr_t a = r.begin & ~(kWord - 1); a < r.end && !pointers; a += kWord)
      pointers =
          maybe_pointer(live_word(a), &refreshed) || maybe_pointer(globals.old_word(a), &refreshed);
  }
  for (const Range& r : changed_) {
    for (std::size_t i : hits_) {
      const Range& b = blocks_[i].range;
      if (b.begin >= r.end || b.end <= r.begin) continue;
      for (std::uintptr_t a = std::max(b.begin, r.begin) & ~(kWord - 1);
           a < std::min(b.end, r.end) && !pointers; a += kWord)
        pointers =
            maybe_pointer(current_word(a), &refreshed) || maybe_pointer(old_word(a), &refreshed);
    }
  }
  std::vector<std::uintptr_t> changed_starts;
  for (std::size_t i : hits_) changed_starts.push_back(blocks_[i].range.begin);  // sorted
  auto touch = [&](const Block& b) {
    for (std::size_t owner : b.owners) out->push_back({owner, kViaHeap});
  };
  if (!pointers) {
    for (std::size_t i : hits_) touch(blocks_[i]);
    direct_.update(changed_);
    guarded_.update(changed_);
    return;
  }
  std::vector<std::uintptr_t> before;
  before.reserve(blocks_.size());
  for (const Block& b : blocks_) before.push_back(b.range.begin);  // sorted
  if (!refreshed) heap_.refresh();
  written_ = changed_globals;
  written_.insert(written_.end(), changed_.begin(), changed_.end());
  std::sort(written_.begin(), written_.end(),
            [](const Range& a, const Range& b) { return a.begin < b.begin; });
  rescan(false);
  for (const Block& b : blocks_) {
    bool old = std::binary_search(before.begin(), before.end(), b.range.begin);
    bool changed = std::binary_search(changed_starts.begin(), changed_starts.end(), b.range.begin);
    if (!old || changed) touch(b);
  }
}

}  // namespace forksafe::serve::verify
