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

std::int64_t now_us() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

bool Probe::start(const std::string& app_path, const SymbolTable* table, std::string spool_file,
                  std::string* error) {
  table_ = table;
  spool_file_ = std::move(spool_file);
  if (!find_loaded_module(app_path, &layout_, error)) return false;
  index_.build(*table_, layout_);
  by_name_.clear();
  for (std::size_t i = 0; i < table_->symbols.size(); ++i)
    if (!table_->symbols[i].guard) by_name_.emplace(table_->symbols[i].mangled, i);
  snapshot_.take(layout_.writable);
  last_flush_us_ = now_us();
  dirty_ = true;
  urgent_ = true;  // publish an empty record so the master knows this worker is verifying
  return true;
}

void Probe::note(RecordKind kind, const std::string& mangled, std::string_view method,
                 std::string_view path, std::string_view route, std::int64_t now) {
  auto [it, inserted] = records_[static_cast<int>(kind)].try_emplace(mangled);
  SymbolRecord& r = it->second;
  if (inserted) {
    r.first = FirstSeen{std::string(method), std::string(path), std::string(route), now};
    urgent_ = true;
  }
  ++r.requests;
}

void Probe::after_request(std::string_view method, std::string_view path, std::string_view route) {
  ++requests_;
  dirty_ = true;
  changed_.clear();
  snapshot_.diff(&changed_);
  const std::int64_t now = (changed_.empty() && !urgent_) ? 0 : now_us();
  if (!changed_.empty()) {
    hits_.clear();
    for (const Range& r : changed_) index_.lookup(r, &hits_);
    std::sort(hits_.begin(), hits_.end());
    hits_.erase(std::unique(hits_.begin(), hits_.end()), hits_.end());
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
      note(RecordKind::kFirstUse, table_->symbols[obj->second].mangled, method, path, route, now);
    }
    for (std::size_t i : hits_) {
      const ObjectSymbol& s = table_->symbols[i];
      if (s.guard) continue;
      if (std::find(initialized.begin(), initialized.end(), i) != initialized.end()) continue;
      note(s.per_worker ? RecordKind::kPerWorker : RecordKind::kMutation, s.mangled, method, path,
           route, now);
    }
    snapshot_.update(changed_);
  }
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
                      {"first",
                       {{"method", r.first.method},
                        {"path", r.first.path},
                        {"route", r.first.route},
                        {"when_us", r.first.when_us}}}});
    }
    doc[kind_key(kind)] = std::move(list);
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
