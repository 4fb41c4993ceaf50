// flagd: feature-flag evaluation service. Flags are loaded once in the master; workers only
// evaluate. Runs under libprefork (see prefork_serve).
#include "forksafe/annotations.hpp"

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

struct Ctx {
  std::string path;
  std::string user;
  std::map<std::string, std::string> query;
};
struct Reply {
  int status;
  std::string body;
};
using Handler = Reply (*)(const Ctx&);
int prefork_serve(int workers, void (*worker_init)(), const std::map<std::string, Handler>& routes);

namespace flags {

struct Flag {
  std::string name;
  bool enabled;
  int rollout_percent;
};

constexpr std::array<std::string_view, 3> kEnvironments = {"dev", "staging", "prod"};
static const std::hash<std::string> kHasher{};

static std::vector<Flag> g_flags;
static std::map<std::string, std::size_t> g_flag_index;
static std::unique_ptr<std::map<std::string, std::string>> g_overrides;
static std::string g_environment;
static std::atomic<bool> g_kill_switch{false};
static std::mutex g_eval_log_mu;
FORKSAFE_PER_WORKER static std::vector<std::string> g_eval_log;
FORKSAFE_PER_WORKER static std::map<std::string, bool> g_decision_cache;
static thread_local int t_depth = 0;
static unsigned long g_evaluations = 0;
static std::string g_dump_buffer;

static bool in_rollout(const Flag& f, const std::string& user) {
  return kHasher(f.name + ":" + user) % 100 < static_cast<std::size_t>(f.rollout_percent);
}

static const Flag* lookup(const std::string& name) {
  auto it = g_flag_index.find(name);
  if (it == g_flag_index.end()) return nullptr;
  return &g_flags[it->second];
}

FORKSAFE_HANDLER Reply evaluate(const Ctx& ctx) {
  ++t_depth;
  ++g_evaluations;
  if (g_kill_switch.load()) return {200, "off"};
  const std::string name = ctx.query.count("flag") != 0 ? ctx.query.at("flag") : std::string();
  const std::string key = name + "|" + ctx.user;
  auto cached = g_decision_cache.find(key);
  if (cached != g_decision_cache.end()) return {200, cached->second ? "on" : "off"};
  const Flag* f = lookup(name);
  bool on = f != nullptr && f->enabled && in_rollout(*f, ctx.user);
  if (g_overrides) {
    auto o = g_overrides->find(name);
    if (o != g_overrides->end()) on = o->second == "on";
  }
  g_decision_cache.emplace(key, on);
  {
    std::lock_guard<std::mutex> lk(g_eval_log_mu);
    g_eval_log.push_back(key);
  }
  --t_depth;
  return {200, on ? "on" : "off"};
}

FORKSAFE_HANDLER Reply list_flags(const Ctx&) {
  std::string out = "env=" + g_environment + "\n";
  for (std::size_t i = 0; i < g_flags.size(); ++i)
    out += g_flags[i].name + (g_flags[i].enabled ? "=on\n" : "=off\n");
  return {200, out};
}

FORKSAFE_INIT void load_flags(const std::string& env) {
  bool known = false;
  for (auto e : kEnvironments) known = known || e == env;
  g_environment = known ? env : "dev";
  g_flags = {{"new-checkout", true, 20}, {"dark-mode", true, 100}, {"beta-search", false, 0}};
  for (std::size_t i = 0; i < g_flags.size(); ++i) g_flag_index[g_flags[i].name] = i;
  g_overrides = std::make_unique<std::map<std::string, std::string>>();
  (*g_overrides)["beta-search"] = g_environment == "dev" ? "on" : "off";
  g_kill_switch.store(std::getenv("FLAGD_FREEZE") != nullptr);
}

FORKSAFE_WORKER_INIT void on_worker_start() {
  g_decision_cache.clear();
  std::lock_guard<std::mutex> lk(g_eval_log_mu);
  g_eval_log.reserve(1024);
}

// `flagd ENV --dump`: print the flag table and exit. Not a request path.
static void dump_all() {
  g_dump_buffer.clear();
  for (const auto& f : g_flags) g_dump_buffer += f.name + (f.enabled ? " on\n" : " off\n");
  std::fputs(g_dump_buffer.c_str(), stdout);
}

}  // namespace flags

int main(int argc, char** argv) {
  flags::load_flags(argc > 1 ? argv[1] : "dev");
  if (argc > 2 && std::string(argv[2]) == "--dump") {
    flags::dump_all();
    return 0;
  }
  return prefork_serve(4, &flags::on_worker_start,
                       {{"/eval", &flags::evaluate}, {"/flags", &flags::list_flags}});
}
