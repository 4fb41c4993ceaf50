// Worker-side memory-diff verification: per-request diff, guard handling, spool publishing.
#include "verify/probe.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>

namespace forksafe::serve::verify {

namespace {

constexpr std::int64_t kFlushIntervalUs = 250000;

const char* kind_key(RecordKind k) {
  switch (k) {
    case RecordKind::kMutation:
      return "mutations";
    case RecordKind::kFirstUse:
      return "first_use";
    case RecordKind::kPerWorker:
      return "per_worker";
  }
  return "?";
}

}  // namespace

std::vector<std::string> via_names(unsigned via) {
  std::vector<std::string> out;
  if (via & kViaDirect) out.emplace_back("direct");
  if (via & kViaHeap) out.emplace_back("heap");
  if (via & kViaPointer) out.emplace_back("pointer");
  return out;
}

unsigned via_bit(const std::string& name) {
  if (name == "direct") return kViaDirect;
  if (name == "heap") return kViaHeap;
  if (name == "pointer") return kViaPointer;
  return 0;
}

std::int64_t now_us() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

bool Probe::start(const std::string& app_path, const SymbolTable* table, std::string spool_file,
                  std::uint64_t heap_limit, std::string* error) {
  table_ = table;
  spool_file_ = std::move(spool_file);
  if (!find_loaded_module(app_path, &layout_, error)) return false;
  index_.build(*table_, layout_);
  by_name_.clear();
  for (std::size_t i = 0; i < table_->symbols.size(); ++i)
    if (!table_->symbols[i].guard) by_name_.emplace(table_->symbols[i].mangled, i);
  snapshot_.take(layout_.writable);
  heap_limit_ = heap_limit;
  if (heap_limit_ > 0) {
    // Every global of the app is a root, guard variables aside (they hold no pointers).
    std::vector<HeapGraph::Root> roots;
    for (std::size_t i = 0; i < table_->symbols.size(); ++i) {
      std::uintptr_t at = index_.address_of(i);
      if (at == 0 || table_->symbols[i].guard) continue;
      roots.push_back({{at, at + table_->symbols[i].size}, i});
    }
    heap_.start(std::move(roots), heap_limit_);
  }
  last_flush_us_ = now_us();
  dirty_ = true;
  urgent_ = true;  // publish an empty record so the master knows this worker is verifying
  return true;
}

void Probe::note(RecordKind kind, const std::string& mangled, Via via, std::string_view method,
                 std::string_view path, std::string_view route, std::int64_t now) {
  auto [it, inserted] = records_[static_cast<int>(kind)].try_emplace(mangled);
  SymbolRecord& r = it->second;
  if (inserted) {
    r.first = FirstSeen{std::string(method), std::string(path), std::string(route), now};
    urgent_ = true;
  }
  if ((r.via | via) != r.via) urgent_ = true;  // a new way of changing it: publish now
  r.via |= via;
  if (r.last_request == requests_) return;  // one request counts once, however it changed it
  r.last_request = requests_;
  ++r.requests;
}

void Probe::after_request(std::string_view method, std::string_view path, std::string_view route) {
  ++requests_;
  dirty_ = true;
  changed_.clear();
  snapshot_.diff(&changed_);
  hits_.clear();
  for (const Range& r : changed_) index_.lookup(r, &hits_);
  std::sort(hits_.begin(), hits_.end());
  hits_.erase(std::unique(hits_.begin(), hits_.end()), hits_.end());
  touched_.clear();
  if (heap_limit_ > 0) heap_.after_request(changed_, snapshot_, hits_, &touched_);
  const std::int64_t now = (changed_.empty() && touched_.empty() && !urgent_) ? 0 : now_us();
  // Guards first: an object whose guard was just set is being initialized, not mutated.
  std::vector<std::size_t> initialized;
  for (std::size_t i : hits_) {
    const ObjectSymbol& s = table_->symbols[i];
    if (!s.guard) continue;
    std::uintptr_t addr = layout_.bias + s.value;
    bool was_clear = snapshot_.old_byte(addr) == 0;
    bool now_set = live_byte(addr) != 0;
    if (!was_clear || !now_set) continue;
    auto obj = by_name_.find(guarded_object(s.mangled));
    if (obj == by_name_.end()) continue;
    initialized.push_back(obj->second);
    note(RecordKind::kFirstUse, table_->symbols[obj->second].mangled, kViaDirect, method, path,
         route, now);
  }
  auto kind_of = [&](std::size_t i) {
    if (table_->symbols[i].per_worker) return RecordKind::kPerWorker;
    bool first_use = std::find(initialized.begin(), initialized.end(), i) != initialized.end();
    return first_use ? RecordKind::kFirstUse : RecordKind::kMutation;
  };
  for (std::size_t i : hits_) {
    const ObjectSymbol& s = table_->symbols[i];
    if (s.guard) continue;
    if (std::find(initialized.begin(), initialized.end(), i) != initialized.end()) continue;
    note(kind_of(i), s.mangled, kViaDirect, method, path, route, now);
  }
  for (const HeapGraph::Touch& t : touched_)
    note(kind_of(t.symbol), table_->symbols[t.symbol].mangled, t.via, method, path, route, now);
  if (!changed_.empty()) snapshot_.update(changed_);
  if (spool_file_.empty()) return;
  if (urgent_ || now_us() - last_flush_us_ >= kFlushIntervalUs) {
    std::string ignored;
    flush(&ignored);  // best effort: the next flush (or the exit flush) retries
  }
}

const std::map<std::string, SymbolRecord>& Probe::records(RecordKind kind) const {
  return records_[static_cast<int>(kind)];
}

bool Probe::flush(std::string* error) {
  if (spool_file_.empty() || !dirty_) return true;
  nlohmann::json doc;
  doc["pid"] = static_cast<long>(::getpid());
  doc["requests"] = requests_;
  for (RecordKind kind : {RecordKind::kMutation, RecordKind::kFirstUse, RecordKind::kPerWorker}) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [mangled, r] : records(kind)) {
      list.push_back({{"mangled", mangled},
                      {"requests", r.requests},
                      {"via", via_names(r.via)},
                      {"first",
                       {{"method", r.first.method},
                        {"path", r.first.path},
                        {"route", r.first.route},
                        {"when_us", r.first.when_us}}}});
    }
    doc[kind_key(kind)] = std::move(list);
  }
  if (heap_limit_ > 0) {
    doc["heap"] = {{"blocks", heap_.blocks()},
                   {"bytes", heap_.bytes()},
                   {"limit", heap_.limit()},
                   {"limit_reached", heap_.limit_reached()},
                   {"allocator", heap_.allocator().allocator_name()},
                   {"zero_filled", malloc_zero_fills()},
                   {"rescans", heap_.rescans()},
                   {"interior_pointers", heap_.allocator().interior_pointers()}};
  }
  std::string text = doc.dump();
  if (!write_file_atomically(spool_file_, text, "verification records", error)) return false;
  dirty_ = false;
  urgent_ = false;
  last_flush_us_ = now_us();
  return true;
}

bool write_file_atomically(const std::string& path, const std::string& text, const char* what,
                           std::string* error) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = fmt::format("cannot write {} '{}': {}", what, path, std::strerror(errno));
    return false;
  }
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  int saved = errno;
  ::close(fd);
  if (done != text.size() || ::rename(tmp.c_str(), path.c_str()) < 0) {
    *error = fmt::format("cannot write {} '{}': {}", what, path,
                         std::strerror(done != text.size() ? saved : errno));
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace forksafe::serve::verify
