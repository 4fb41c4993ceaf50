// Aggregating worker records, the cross-check, and the JSON and table renderings.
#include "verify/report.hpp"

#include <dirent.h>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace forksafe::serve::verify {

namespace {

using json = nlohmann::ordered_json;

const ObjectSymbol* find_symbol(const SymbolTable& table, const std::string& mangled) {
  for (const ObjectSymbol& s : table.symbols)
    if (s.mangled == mangled) return &s;
  return nullptr;
}

void merge(const json& list, long pid, const SymbolTable& table, std::vector<Observation>* into) {
  if (!list.is_array()) return;
  for (const json& r : list) {
    std::string mangled = r.value("mangled", "");
    if (mangled.empty()) continue;
    auto it = std::find_if(into->begin(), into->end(),
                           [&](const Observation& o) { return o.mangled == mangled; });
    if (it == into->end()) {
      Observation o;
      o.mangled = mangled;
      const ObjectSymbol* s = find_symbol(table, mangled);
      o.symbol = s ? s->name : demangle(mangled);
      o.local = s && s->local;
      o.size = s ? s->size : 0;
      into->push_back(std::move(o));
      it = into->end() - 1;
    }
    it->workers.insert(pid);
    it->requests += r.value("requests", std::uint64_t{0});
    if (r.contains("via") && r["via"].is_array()) {
      for (const json& v : r["via"])
        if (v.is_string()) it->via |= via_bit(v.get<std::string>());
    } else {
      it->via |= kViaDirect;
    }
    const json& f = r.contains("first") ? r["first"] : json::object();
    std::int64_t when = f.value("when_us", std::int64_t{0});
    if (it->first_worker == 0 || when < it->first.when_us) {
      it->first_worker = pid;
      it->first = FirstSeen{f.value("method", ""), f.value("path", ""), f.value("route", ""), when};
    }
  }
}

/// "direct", "heap", "pointer" or several joined with '+' ("direct+heap").
std::string via_text(unsigned via) {
  std::string out;
  for (const std::string& name : via_names(via)) out += (out.empty() ? "" : "+") + name;
  return out.empty() ? "direct" : out;
}

json observation_json(const Observation& o) {
  return {{"symbol", o.symbol},
          {"via", via_text(o.via)},
          {"mangled", o.mangled},
          {"binding", o.local ? "local" : "global"},
          {"size", o.size},
          {"workers", std::vector<long>(o.workers.begin(), o.workers.end())},
          {"requests", o.requests},
          {"first",
           {{"worker", o.first_worker},
            {"method", o.first.method},
            {"path", o.first.path},
            {"route", o.first.route}}}};
}

json observations_json(const std::vector<Observation>& list) {
  json out = json::array();
  for (const Observation& o : list) out.push_back(observation_json(o));
  return out;
}

std::string base_name(const std::string& path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string first_text(const Observation& o) {
  return fmt::format("{} {}{}", o.first.method, o.first.path,
                     o.first.route.empty() ? " (no route)" : "");
}

/// The key symbols are matched by: the mangled name without libstdc++'s "cxx11" ABI tag, which
/// Clang (the checker) writes into variable names and GCC (which may have built the app) does not.
std::string match_key(std::string mangled) {
  static constexpr std::string_view kTag = "B5cxx11";
  for (std::size_t at; (at = mangled.find(kTag)) != std::string::npos;)
    mangled.erase(at, kTag.size());
  return mangled;
}

std::string clip(const std::string& s, std::size_t width) {
  if (s.size() <= width) return s;
  return s.substr(0, width - 1) + "~";
}

}  // namespace

bool add_worker_records(const std::string& json_text, const SymbolTable& table, Report* report) {
  json doc = json::parse(json_text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return false;
  long pid = doc.value("pid", 0L);
  report->workers.insert(pid);
  report->requests += doc.value("requests", std::uint64_t{0});
  if (doc.contains("mutations")) merge(doc["mutations"], pid, table, &report->mutations);
  if (doc.contains("first_use")) merge(doc["first_use"], pid, table, &report->first_use);
  if (doc.contains("per_worker")) merge(doc["per_worker"], pid, table, &report->per_worker);
  if (doc.contains("heap") && doc["heap"].is_object()) {
    const json& h = doc["heap"];
    HeapStatus& status = report->heap;
    status.tracked = true;
    status.limit = h.value("limit", std::uint64_t{0});
    status.max_bytes = std::max(status.max_bytes, h.value("bytes", std::uint64_t{0}));
    status.max_blocks = std::max(status.max_blocks, h.value("blocks", std::uint64_t{0}));
    if (h.value("limit_reached", false)) status.limit_reached.insert(pid);
    status.allocator = h.value("allocator", "");
    status.interior_pointers = status.interior_pointers && h.value("interior_pointers", true);
    status.zero_filled = status.zero_filled && h.value("zero_filled", false);
    status.rescans += h.value("rescans", std::uint64_t{0});
  }
  return true;
}

void aggregate_spool(const std::string& spool_dir, const SymbolTable& table, Report* report) {
  DIR* dir = ::opendir(spool_dir.c_str());
  if (!dir) return;
  std::vector<std::string> files;
  while (dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0) files.push_back(name);
  }
  ::closedir(dir);
  std::sort(files.begin(), files.end());
  for (const std::string& name : files) {
    std::ifstream in(spool_dir + "/" + name);
    std::stringstream buf;
    buf << in.rdbuf();
    add_worker_records(buf.str(), table, report);
  }
  auto by_name = [](const Observation& a, const Observation& b) { return a.symbol < b.symbol; };
  std::sort(report->mutations.begin(), report->mutations.end(), by_name);
  std::sort(report->first_use.begin(), report->first_use.end(), by_name);
  std::sort(report->per_worker.begin(), report->per_worker.end(), by_name);
}

void cross_check(Report* report) {
  report->cross.clear();
  if (!report->findings) return;
  // Symbols the checker flagged, in the order of its report, with every rule that flagged them.
  std::vector<std::string> order;
  std::map<std::string, CrossRow> flagged;
  for (const Finding& f : *report->findings) {
    if (f.mangled.empty()) continue;
    auto [it, inserted] = flagged.try_emplace(match_key(f.mangled));
    CrossRow& row = it->second;
    if (inserted) {
      order.push_back(match_key(f.mangled));
      row.mangled = f.mangled;
      row.symbol = f.symbol.empty() ? demangle(f.mangled) : f.symbol;
      row.where = fmt::format("{}:{}", base_name(f.file), f.line);
    }
    if (row.rules.find(f.rule) == std::string::npos)
      row.rules += (row.rules.empty() ? "" : ",") + f.rule;
  }
  for (const Observation& o : report->mutations) {
    auto it = flagged.find(match_key(o.mangled));
    CrossRow row;
    if (it != flagged.end()) {
      row = it->second;
      row.verdict = "confirmed";
    } else {
      row.verdict = "dynamic only";
      row.mangled = o.mangled;
      row.symbol = o.symbol;
    }
    row.observed = &o;
    report->cross.push_back(row);
  }
  for (const std::string& mangled : order) {
    bool observed =
        std::any_of(report->mutations.begin(), report->mutations.end(),
                    [&](const Observation& o) { return match_key(o.mangled) == mangled; });
    if (observed) continue;
    CrossRow row = flagged[mangled];
    row.verdict = "static only";
    report->cross.push_back(row);
  }
  auto rank = [](const std::string& v) {
    return v == "dynamic only" ? 0 : v == "confirmed" ? 1 : 2;
  };
  std::stable_sort(
      report->cross.begin(), report->cross.end(),
      [&](const CrossRow& a, const CrossRow& b) { return rank(a.verdict) < rank(b.verdict); });
}

std::string failure(const Report& report, const std::string& mode) {
  std::vector<std::string> names;
  if (mode == "mutation") {
    for (const Observation& o : report.mutations) names.push_back(o.symbol);
  } else if (mode == "dynamic-only") {
    for (const CrossRow& r : report.cross)
      if (r.verdict == "dynamic only") names.push_back(r.symbol);
  }
  if (names.empty()) return {};
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  return fmt::format("verification failed (--verify-fail-on={}): {} {}: {}", mode, names.size(),
                     mode == "mutation" ? "global(s) mutated after fork"
                                        : "global(s) mutated that forksafe-check did not flag",
                     list);
}

std::string render_json(const Report& report) {
  json doc;
  doc["version"] = 1;
  doc["app"] = report.app;
  doc["workers"] = std::vector<long>(report.workers.begin(), report.workers.end());
  doc["requests"] = report.requests;
  doc["mutations"] = observations_json(report.mutations);
  doc["initialized_on_first_use"] = observations_json(report.first_use);
  doc["per_worker"] = observations_json(report.per_worker);
  json prefork = json::array();
  for (const Hazard& h : report.prefork)
    prefork.push_back({{"kind", h.kind}, {"id", h.id}, {"what", h.what}});
  doc["prefork"] = {{"inspected", report.preloaded}, {"hazards", prefork}};
  const HeapStatus& h = report.heap;
  doc["heap"] = {
      {"tracked", h.tracked},
      {"allocator", h.allocator},
      {"interior_pointers", h.interior_pointers},
      {"zero_filled", h.zero_filled},
      {"rescans", h.rescans},
      {"limit", h.limit},
      {"max_bytes", h.max_bytes},
      {"max_blocks", h.max_blocks},
      {"limit_reached", !h.limit_reached.empty()},
      {"workers_at_limit", std::vector<long>(h.limit_reached.begin(), h.limit_reached.end())}};
  if (report.findings) {
    json rows = json::array();
    for (const CrossRow& r : report.cross) {
      json row = {{"verdict", r.verdict},
                  {"symbol", r.symbol},
                  {"mangled", r.mangled},
                  {"rules", r.rules},
                  {"where", r.where}};
      row["observed"] = r.observed ? observation_json(*r.observed) : json(nullptr);
      rows.push_back(std::move(row));
    }
    doc["cross_check"] = std::move(rows);
  }
  if (report.shared) {
    const auto& st = *report.shared;
    doc["shared_store"] = {{"backend", st.backend},
                           {"bytes_used", st.bytes_used},
                           {"bytes_total", st.bytes_total},
                           {"objects", st.objects},
                           {"entries", st.entries},
                           {"evictions", st.evictions},
                           {"lock_recoveries", st.lock_recoveries}};
  }
  return doc.dump(2) + "\n";
}

std::string render_table(const Report& report) {
  std::string out = fmt::format(
      "forksafe-serve --verify: {} worker(s), {} request(s), {} global(s) mutated after fork\n",
      report.workers.size(), report.requests, report.mutations.size());
  auto section = [&](const char* title, const std::vector<Observation>& list) {
    if (list.empty()) return;
    out += fmt::format("{}\n  {:<40} {:<16} {:<12} {:>7} {:>8}  {}\n", title, "symbol",
                       "first route", "via", "workers", "requests", "first request");
    for (const Observation& o : list)
      out += fmt::format("  {:<40} {:<16} {:<12} {:>7} {:>8}  {} (worker {})\n", clip(o.symbol, 40),
                         clip(o.first.route.empty() ? "-" : o.first.route, 16), via_text(o.via),
                         o.workers.size(), o.requests, first_text(o), o.first_worker);
  };
  section("mutated after fork:", report.mutations);
  section("initialized on first use (not a mutation):", report.first_use);
  section("per-worker by design (FORKSAFE_PER_WORKER):", report.per_worker);
  if (report.shared)
    out += fmt::format(
        "shared state (forksafe::shared, not app data): {} arena, {} of {} bytes reserved, {} "
        "object(s), {} map entries, {} eviction(s), {} lock recovery(ies)\n",
        report.shared->backend, report.shared->bytes_used, report.shared->bytes_total,
        report.shared->objects, report.shared->entries, report.shared->evictions,
        report.shared->lock_recoveries);
  if (!report.heap.limit_reached.empty())
    out += fmt::format(
        "heap behind globals: the scan stopped at --verify-heap-limit ({} bytes) in {} worker(s); "
        "changes in blocks beyond it are not seen\n",
        report.heap.limit, report.heap.limit_reached.size());
  if (report.preloaded) {
    if (report.prefork.empty()) {
      out += "pre-fork inspection: no threads or descriptors left by the app's init code\n";
    } else {
      out += "inherited from the preloaded master (pre-fork hazards):\n";
      for (const Hazard& h : report.prefork) out += fmt::format("  {:<10} {}\n", h.kind, h.what);
    }
  }
  if (report.findings) {
    out += "cross-check with forksafe-check:\n";
    if (report.cross.empty()) out += "  nothing flagged, nothing observed\n";
    for (const CrossRow& r : report.cross)
      out += fmt::format("  {:<13} {:<40} {}\n", r.verdict, clip(r.symbol, 40),
                         r.verdict == "dynamic only"
                             ? fmt::format("observed in {}, never flagged", first_text(*r.observed))
                             : fmt::format("{} {}", r.rules, r.where));
  }
  return out;
}

}  // namespace forksafe::serve::verify
