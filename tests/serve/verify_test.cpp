// forksafe-serve --verify against real processes: every example app under 4 workers (the broken
// ones report exactly their mutated globals, attributed to the right route; the fixed ones report
// nothing), the cross-check verdicts, --require-clean, pre-fork inspection, bad input; state behind
// pointers (heap tracking) and --verify-fail-on.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "harness.hpp"

namespace fstest {
namespace {

using nlohmann::json;

std::string app(const std::string& name) {
  return std::string(VERIFY_APP_DIR) + "/" + name + ".so";
}
std::string test_app_path(const std::string& name) {
  return std::string(VERIFY_TEST_APP_DIR) + "/" + name + ".so";
}
std::string findings(const std::string& name) {
  return std::string(VERIFY_DATA_DIR) + "/" + name + ".findings.json";
}

struct Step {
  std::string method;
  std::string path;
};

/// The demangled name as GCC and Clang both print it (Clang adds libstdc++'s "[abi:cxx11]").
std::string plain(std::string name) {
  const std::string tag = "[abi:cxx11]";
  for (std::size_t at; (at = name.find(tag)) != std::string::npos;) name.erase(at, tag.size());
  return name;
}

std::set<std::string> symbols_of(const json& list) {
  std::set<std::string> out;
  for (const json& o : list) out.insert(plain(o["symbol"].get<std::string>()));
  return out;
}

/// Serves `name` under `workers` workers with --verify, runs `steps`, stops it gracefully and
/// returns the report.
json serve_and_verify(const std::string& name, int workers, bool preload,
                      const std::vector<Step>& steps, std::vector<std::string> extra = {},
                      std::string* log = nullptr, int expect_code = 0) {
  TempDir dir;
  std::vector<std::string> args = {"-b", "127.0.0.1:0", "-w", std::to_string(workers),
                                   "--verify=" + dir.file("report.json")};
  if (preload) args.push_back("--preload");
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(::access(app(name).c_str(), R_OK) == 0 ? app(name) : test_app_path(name));
  Server s;
  if (!s.start_and_wait(dir, args, workers,
                        {{"FORKSAFE_EXAMPLE_STATE_DIR", dir.path()}, {"TMPDIR", dir.path()}}))
    return json();
  for (const Step& step : steps) {
    Client fresh;  // a new connection per request spreads requests over the workers
    HttpRequest req;
    req.method = step.method;
    req.url = s.url(step.path);
    req.timeout_ms = 5000;
    HttpResult r = fresh.perform(req);
    EXPECT_NE(r.status, 0) << step.method << " " << step.path << ": " << r.error;
  }
  s.signal(SIGTERM);
  auto status = s.wait_exit(15000ms);
  EXPECT_TRUE(status.has_value());
  if (status) {
    EXPECT_EQ(Server::exit_code(*status), expect_code) << s.log();
  }
  if (log) *log = s.log();
  std::ifstream in(dir.file("report.json"));
  std::stringstream buf;
  buf << in.rdbuf();
  json report = json::parse(buf.str(), nullptr, false);
  EXPECT_FALSE(report.is_discarded()) << buf.str();
  return report;
}

struct Example {
  std::string name;
  bool preload;
  std::vector<Step> steps;
  std::string mutated;  // demangled; empty: none expected
  std::string route;
};

std::vector<Example> examples() {
  std::vector<Step> get8(8, Step{"GET", "/"});
  return {
      {"counter", false, get8, "(anonymous namespace)::visits", "/"},
      {"sessions",
       false,
       {{"POST", "/login?user=ann"},
        {"GET", "/me?token=x"},
        {"POST", "/login?user=bob"},
        {"GET", "/me"}},
       "(anonymous namespace)::sessions",
       "/login"},
      {"ids", false, std::vector<Step>(6, Step{"POST", "/orders"}),
       "(anonymous namespace)::next_order_id", "/orders"},
      {"tokens", true, std::vector<Step>(6, Step{"GET", "/token"}), "(anonymous namespace)::rng",
       "/token"},
      {"cache",
       false,
       {{"GET", "/pages/a"}, {"GET", "/pages/b"}, {"GET", "/pages/a"}, {"GET", "/missing"}},
       "(anonymous namespace)::rendered",
       "/pages/:name"},
      {"dbconn", true, {{"POST", "/entries?item=1"}, {"POST", "/entries?item=2"}}, "", ""},
      // State behind pointers: the globals' own bytes never change after init.
      {"quota", false, std::vector<Step>(6, Step{"POST", "/download"}),
       "(anonymous namespace)::quota", "/download"},
      {"stock", false, std::vector<Step>(4, Step{"POST", "/buy/apple"}),
       "(anonymous namespace)::stock", "/buy/:item"},
  };
}

class VerifyExample : public ::testing::TestWithParam<Example> {};

TEST_P(VerifyExample, BrokenReportsExactlyItsMutatedGlobalOnTheRightRoute) {
  const Example& ex = GetParam();
  json report =
      serve_and_verify(ex.name, 4, ex.preload, ex.steps, {"--static-report", findings(ex.name)});
  ASSERT_TRUE(report.is_object());
  std::set<std::string> expected;
  if (!ex.mutated.empty()) expected.insert(ex.mutated);
  EXPECT_EQ(symbols_of(report["mutations"]), expected) << report.dump(2);
  for (const json& m : report["mutations"]) {
    EXPECT_EQ(m["first"]["route"], ex.route);
    EXPECT_GE(m["requests"].get<int>(), 1);
    EXPECT_GE(m["workers"].size(), 1u);
  }
  EXPECT_EQ(report["requests"].get<std::size_t>(), ex.steps.size());
  EXPECT_TRUE(report["initialized_on_first_use"].empty());
  // Every observed mutation of a broken example is one the checker flagged.
  for (const json& row : report["cross_check"])
    EXPECT_NE(row["verdict"], "dynamic only") << row.dump();
}

TEST_P(VerifyExample, FixedReportsNothing) {
  const Example& ex = GetParam();
  json report = serve_and_verify(ex.name + "_fixed", 4, ex.preload, ex.steps,
                                 {"--static-report", findings(ex.name + "_fixed")});
  ASSERT_TRUE(report.is_object());
  EXPECT_TRUE(report["mutations"].empty()) << report.dump(2);
  EXPECT_TRUE(report["cross_check"].empty()) << report.dump(2);
  EXPECT_TRUE(report["prefork"]["hazards"].empty()) << report.dump(2);
}

void PrintTo(const Example& ex, std::ostream* os) { *os << ex.name; }

INSTANTIATE_TEST_SUITE_P(Examples, VerifyExample, ::testing::ValuesIn(examples()),
                         [](const auto& p) { return p.param.name; });

TEST(Verify, CounterIsConfirmedAndNamedWithItsWorkers) {
  std::string log;
  json report = serve_and_verify("counter", 4, false, std::vector<Step>(12, Step{"GET", "/"}),
                                 {"--static-report", findings("counter")}, &log);
  ASSERT_EQ(report["mutations"].size(), 1u);
  const json& m = report["mutations"][0];
  EXPECT_EQ(m["mangled"], "_ZN12_GLOBAL__N_16visitsE");
  EXPECT_EQ(m["binding"], "local");
  EXPECT_EQ(m["size"], 8);
  EXPECT_EQ(m["requests"], 12);
  EXPECT_EQ(m["first"]["method"], "GET");
  EXPECT_EQ(m["first"]["path"], "/");
  ASSERT_EQ(report["cross_check"].size(), 1u);
  EXPECT_EQ(report["cross_check"][0]["verdict"], "confirmed");
  // The table goes to stdout at shutdown, next to the log.
  EXPECT_NE(log.find("confirmed     (anonymous namespace)::visits"), std::string::npos) << log;
  EXPECT_NE(log.find("with 4 workers their values diverge"), std::string::npos)
      << log;  // the warning
}

TEST(Verify, EveryWorkerClassReportsTheMutation) {
  for (std::vector<std::string> kind :
       {std::vector<std::string>{"-k", "sync"},
        std::vector<std::string>{"-k", "threads", "--threads", "4"}}) {
    json report =
        serve_and_verify("counter", 2, false, std::vector<Step>(6, Step{"GET", "/"}), kind);
    ASSERT_TRUE(report.is_object()) << kind[1];
    EXPECT_EQ(symbols_of(report["mutations"]),
              std::set<std::string>{"(anonymous namespace)::visits"})
        << kind[1] << report.dump(2);
    EXPECT_EQ(report["requests"], 6) << kind[1];
  }
}

TEST(Verify, StatelessAppReportsNothingOnAnyWorkerClass) {
  for (std::vector<std::string> kind :
       {std::vector<std::string>{"-k", "event"}, std::vector<std::string>{"-k", "sync"},
        std::vector<std::string>{"-k", "threads", "--threads", "4"}}) {
    json report =
        serve_and_verify("hello", 2, false, std::vector<Step>(20, Step{"GET", "/"}), kind);
    ASSERT_TRUE(report.is_object()) << kind[1];
    EXPECT_TRUE(report["mutations"].empty()) << kind[1] << report.dump(2);
    EXPECT_TRUE(report["initialized_on_first_use"].empty()) << kind[1] << report.dump(2);
    EXPECT_EQ(report["requests"], 20) << kind[1];
  }
}

TEST(Verify, RecycledWorkersKeepTheirRecords) {
  json report = serve_and_verify("counter", 1, false, std::vector<Step>(6, Step{"GET", "/"}),
                                 {"--max-requests", "2"});
  ASSERT_TRUE(report.is_object());
  EXPECT_GE(report["workers"].size(), 3u) << report.dump(2);
  EXPECT_EQ(report["requests"], 6);
  ASSERT_EQ(report["mutations"].size(), 1u);
  EXPECT_EQ(report["mutations"][0]["requests"], 6);
}

TEST(Verify, UnflaggedWriteIsDynamicOnly) {
  json report = serve_and_verify("verify_hidden_write", 2, false,
                                 {{"GET", "/flagged"}, {"GET", "/hidden"}, {"GET", "/hidden"}},
                                 {"--static-report", findings("verify_hidden_write")});
  ASSERT_TRUE(report.is_object());
  std::map<std::string, std::string> verdicts;
  for (const json& row : report["cross_check"]) verdicts[row["symbol"]] = row["verdict"];
  EXPECT_EQ(verdicts["(anonymous namespace)::hidden_hits"], "dynamic only") << report.dump(2);
  EXPECT_EQ(verdicts["(anonymous namespace)::flagged_hits"], "confirmed") << report.dump(2);
  EXPECT_EQ(report["cross_check"][0]["verdict"], "dynamic only");  // the row that matters is first
  for (const json& m : report["mutations"]) {
    if (m["symbol"] == "(anonymous namespace)::hidden_hits") {
      EXPECT_EQ(m["first"]["route"], "/hidden");
    }
  }
}

TEST(Verify, StaticOnlyWhenTheFlaggedRouteIsNotExercised) {
  json report = serve_and_verify("verify_hidden_write", 1, false, {{"GET", "/hidden"}},
                                 {"--static-report", findings("verify_hidden_write")});
  std::map<std::string, std::string> verdicts;
  for (const json& row : report["cross_check"]) verdicts[row["symbol"]] = row["verdict"];
  EXPECT_EQ(verdicts["(anonymous namespace)::flagged_hits"], "static only") << report.dump(2);
}

TEST(Verify, PreforkInspectionListsThreadAndSocketOfPreloadedApp) {
  std::string log;
  json report = serve_and_verify("verify_prefork", 1, true, {{"GET", "/"}}, {}, &log);
  ASSERT_TRUE(report.is_object());
  EXPECT_TRUE(report["prefork"]["inspected"].get<bool>());
  bool thread = false, socket = false;
  for (const json& h : report["prefork"]["hazards"]) {
    std::string what = h["what"];
    if (h["kind"] == "thread" && what.find("prefork-pinger") != std::string::npos) thread = true;
    if (h["kind"] == "descriptor" && what.find("UDP socket") != std::string::npos &&
        what.find("-> 127.0.0.1:9") != std::string::npos)
      socket = true;
  }
  EXPECT_TRUE(thread) << report.dump(2);
  EXPECT_TRUE(socket) << report.dump(2);
  EXPECT_NE(log.find("Pre-fork hazard"), std::string::npos);
}

TEST(Verify, ReportIsWrittenOnDemandWhileRunning) {
  TempDir dir;
  Server s;
  ASSERT_TRUE(s.start_and_wait(
      dir, {"-b", "127.0.0.1:0", "-w", "2", "--verify=" + dir.file("r.json"), app("ids")}, 2,
      {{"TMPDIR", dir.path()}}));
  Client c;
  HttpRequest req;
  req.method = "POST";
  req.url = s.url("/orders");
  ASSERT_EQ(c.perform(req).status, 201);
  s.signal(SIGWINCH);
  // The table is printed on demand (the report file is also refreshed about once a second).
  EXPECT_TRUE(s.wait_log("1 global(s) mutated after fork", 1, 10000ms)) << s.log();
  EXPECT_TRUE(eventually([&] {
    return read_file(dir.file("r.json")).find("next_order_id") != std::string::npos;
  })) << read_file(dir.file("r.json"));
  s.signal(SIGTERM);
  EXPECT_TRUE(s.wait_exit().has_value());
}

struct ExitRun {
  int code = -1;
  std::string log;
};

ExitRun run_to_exit(std::vector<std::string> args) {
  TempDir dir;
  Server s;
  args.insert(args.begin(), {"-b", "127.0.0.1:0"});
  s.start(dir, args, {{"TMPDIR", dir.path()}});
  ExitRun r;
  auto status = s.wait_exit(15000ms);
  if (status) r.code = Server::exit_code(*status);
  r.log = s.log();
  return r;
}

int lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

TEST(RequireClean, RefusesMoreThanOneWorkerNamingTheErrors) {
  ExitRun r = run_to_exit({"-w", "4", "--require-clean", findings("counter"), app("counter")});
  EXPECT_EQ(r.code, 5);
  EXPECT_EQ(lines(r.log), 1) << r.log;
  EXPECT_NE(r.log.find("refusing to start 4 workers"), std::string::npos) << r.log;
  EXPECT_NE(r.log.find("(anonymous namespace)::visits (counter.cpp:11)"), std::string::npos)
      << r.log;
}

TEST(RequireClean, StartsOneWorkerOrACleanApp) {
  TempDir dir;
  Server one;
  EXPECT_TRUE(one.start_and_wait(
      dir, {"-b", "127.0.0.1:0", "-w", "1", "--require-clean", findings("counter"), app("counter")},
      1));
  one.signal(SIGTERM);
  EXPECT_TRUE(one.wait_exit().has_value());
  TempDir dir2;
  Server clean;
  EXPECT_TRUE(clean.start_and_wait(dir2,
                                   {"-b", "127.0.0.1:0", "-w", "2", "--require-clean",
                                    findings("counter_fixed"), app("counter_fixed")},
                                   2));
  clean.signal(SIGTERM);
  EXPECT_TRUE(clean.wait_exit().has_value());
}

TEST(VerifyBadInput, OneLineAndDefinedExitCode) {
  TempDir dir;
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  std::vector<Case> cases = {
      {{"--verify=" + dir.file("r.json"), "--static-report", dir.file("missing.json"),
        app("counter")},
       "cannot read checker report"},
      {{"--verify=" + dir.file("r.json"), "--static-report",
        std::string(VERIFY_DATA_DIR) + "/malformed.json", app("counter")},
       "not valid JSON"},
      {{"--require-clean", app("counter"), app("counter")}, "not valid JSON"},
      {{"--verify=/nonexistent-dir/r.json", app("counter")}, "cannot write verification report"},
      {{"--verify=" + dir.file("r.json"), VERIFY_STRIPPED_APP}, "no symbol table"},
      {{"--static-report", findings("counter"), app("counter")}, "without --verify"},
  };
  for (const Case& c : cases) {
    ExitRun r = run_to_exit(c.args);
    EXPECT_EQ(r.code, 2) << r.log;
    EXPECT_EQ(lines(r.log), 1) << r.log;
    EXPECT_NE(r.log.find(c.message), std::string::npos) << r.log;
  }
}

}  // namespace
}  // namespace fstest

namespace fstest {
namespace {

// State behind pointers (docs/verify.md, "State behind pointers"):
// tests/serve/apps/verify_heap.cpp keeps state behind every kind of pointer, plus handlers that
// must not be reported.
std::vector<Step> times(int n, const std::vector<std::string>& paths) {
  std::vector<Step> out;
  for (int i = 0; i < n; ++i)
    for (const std::string& p : paths) out.push_back({"GET", p});
  return out;
}

/// symbol -> "route via" for every mutation of the report.
std::map<std::string, std::string> routes_and_via(const json& list) {
  std::map<std::string, std::string> out;
  for (const json& m : list)
    out[plain(m["symbol"].get<std::string>())] =
        m["first"]["route"].get<std::string>() + " " + m["via"].get<std::string>();
  return out;
}

const std::string kNs = "(anonymous namespace)::";

TEST(VerifyHeap, StateBehindEveryKindOfPointerIsReportedOnItsRoute) {
  std::string log;
  json report = serve_and_verify(
      "verify_heap", 4, false,
      times(4, {"/raw", "/unique", "/shared", "/singleton", "/map", "/ptr", "/handle", "/churn"}),
      {}, &log);
  ASSERT_TRUE(report.is_object());
  std::map<std::string, std::string> expected = {
      {kNs + "raw_tally", "/raw heap"},       {kNs + "unique_tally", "/unique heap"},
      {kNs + "shared_tally", "/shared heap"}, {kNs + "registry()::r", "/singleton heap"},
      {kNs + "prices", "/map heap"},  // values changed in place: the map's own bytes do not change
      {kNs + "target", "/ptr direct"},        {kNs + "target_ptr", "/ptr pointer"},
  };
  // Not reported: the handle (its methods only read), the heap churn, the untouched big block.
  EXPECT_EQ(routes_and_via(report["mutations"]), expected) << report.dump(2);
  for (const json& m : report["mutations"]) EXPECT_EQ(m["requests"], 4) << m.dump();
  EXPECT_EQ(report["requests"], 32);
  EXPECT_TRUE(report["initialized_on_first_use"].empty()) << report.dump(2);
  EXPECT_TRUE(report["heap"]["tracked"].get<bool>());
  EXPECT_FALSE(report["heap"]["limit_reached"].get<bool>());
  EXPECT_GT(report["heap"]["max_blocks"].get<int>(), 6);
  // glibc's malloc was restarted zero-filling (or a sanitizer's fills on its own): no stale words.
  EXPECT_TRUE(report["heap"]["zero_filled"].get<bool>()) << report.dump(2);
  // The table labels it too: "(anonymous namespace)::raw_tally   /raw   heap   ...".
  std::size_t row = log.find("(anonymous namespace)::raw_tally ");
  ASSERT_NE(row, std::string::npos) << log;
  std::string line = log.substr(row, log.find('\n', row) - row);
  EXPECT_NE(line.find(" /raw "), std::string::npos) << line;
  EXPECT_NE(line.find(" heap "), std::string::npos) << line;
}

TEST(VerifyHeap, HandleReadsAndHeapChurnAreNotReported) {
  json report = serve_and_verify("verify_heap", 4, false, times(6, {"/handle", "/churn"}));
  ASSERT_TRUE(report.is_object());
  EXPECT_TRUE(report["mutations"].empty()) << report.dump(2);
  EXPECT_TRUE(report["initialized_on_first_use"].empty()) << report.dump(2);
  EXPECT_EQ(report["requests"], 12);
}

TEST(VerifyHeap, NewNodeOfAMapCountsAndTheMapChangesToo) {
  json report = serve_and_verify("verify_heap", 1, false,
                                 {{"GET", "/insert?k=kiwi"}, {"GET", "/insert?k=fig"}});
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(routes_and_via(report["mutations"]),
            (std::map<std::string, std::string>{{kNs + "prices", "/insert direct+heap"}}))
      << report.dump(2);
}

TEST(VerifyHeap, ScanLimitIsReportedNotSilentlyTruncated) {
  std::string log;
  json report = serve_and_verify("verify_heap", 2, false, times(2, {"/raw", "/big"}),
                                 {"--verify-heap-limit=1M"}, &log);
  ASSERT_TRUE(report.is_object());
  EXPECT_TRUE(report["heap"]["limit_reached"].get<bool>()) << report.dump(2);
  EXPECT_EQ(report["heap"]["limit"], 1 << 20);
  EXPECT_EQ(report["heap"]["workers_at_limit"].size(), 2u) << report.dump(2);
  EXPECT_LE(report["heap"]["max_bytes"].get<int>(), 1 << 20);
  EXPECT_NE(log.find("the scan stopped at --verify-heap-limit (1048576 bytes) in 2 worker(s)"),
            std::string::npos)
      << log;
  // Below the limit everything is still seen; the 2 MB block beyond it is not.
  std::map<std::string, std::string> seen = routes_and_via(report["mutations"]);
  EXPECT_EQ(seen[kNs + "raw_tally"], "/raw heap") << report.dump(2);
  EXPECT_EQ(seen.count(kNs + "big"), 0u) << report.dump(2);
}

TEST(VerifyHeap, BlocksFreedAndUnmappedByARequestAreNoCrash) {
  // The 2 MB buffer is an mmapped chunk: replacing it unmaps the tracked block mid-watch, and the
  // new buffer differs from the old pointer in a few bytes only.
  std::string log;
  json report = serve_and_verify(
      "verify_heap", 1, false,
      {{"GET", "/regrow"}, {"GET", "/regrow"}, {"GET", "/big"}, {"GET", "/raw"}}, {}, &log);
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(routes_and_via(report["mutations"]),
            (std::map<std::string, std::string>{{kNs + "big", "/regrow heap"},
                                                {kNs + "raw_tally", "/raw heap"}}))
      << report.dump(2) << log;
  // The replacement is tracked in turn: the write to it after the second regrow counts too.
  EXPECT_EQ(report["mutations"][0]["requests"], 3) << report.dump(2);
  EXPECT_EQ(report["workers"].size(), 1u) << log;  // never replaced after a crash
  EXPECT_EQ(log.find("died unexpectedly"), std::string::npos) << log;
}

TEST(VerifyHeap, ZeroLimitTurnsHeapTrackingOff) {
  json report = serve_and_verify("verify_heap", 1, false, times(2, {"/raw", "/ptr"}),
                                 {"--verify-heap-limit=0"});
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(symbols_of(report["mutations"]), std::set<std::string>{kNs + "target"})
      << report.dump(2);
  EXPECT_FALSE(report["heap"]["tracked"].get<bool>());
}

TEST(VerifyHeap, ThreadedWorkersAttributeSequentialRequestsExactly) {
  json report = serve_and_verify("verify_heap", 2, false,
                                 times(3, {"/raw", "/map", "/insert?k=kiwi", "/handle"}),
                                 {"-k", "threads", "--threads", "4"});
  ASSERT_TRUE(report.is_object());
  std::map<std::string, std::string> seen = routes_and_via(report["mutations"]);
  EXPECT_EQ(seen[kNs + "raw_tally"], "/raw heap") << report.dump(2);
  EXPECT_EQ(seen[kNs + "prices"].substr(0, 5), "/map ") << report.dump(2);
  EXPECT_NE(seen[kNs + "prices"].find("heap"), std::string::npos) << report.dump(2);
  // Exactly these two where malloc zero-fills (glibc, ASan); TSan's malloc leaves stale words that
  // may tie other blocks to globals (docs/verify.md, "State behind pointers").
  if (report["heap"]["zero_filled"].get<bool>()) {
    EXPECT_EQ(seen.size(), 2u) << report.dump(2);
  }
}

TEST(VerifyHeap, CrossCheckConfirmsFindingsOnPointers) {
  // verify_heap.findings.json is hand-written in the checker's format: findings at the pointer
  // variables' declarations, with the pointers' mangled names; shared_tally is left unflagged.
  json report = serve_and_verify("verify_heap", 4, false,
                                 times(2, {"/raw", "/unique", "/shared", "/singleton", "/map"}),
                                 {"--static-report", findings("verify_heap")});
  ASSERT_TRUE(report.is_object());
  std::map<std::string, std::string> verdicts;
  for (const json& row : report["cross_check"]) verdicts[plain(row["symbol"])] = row["verdict"];
  EXPECT_EQ(verdicts, (std::map<std::string, std::string>{
                          {kNs + "raw_tally", "confirmed"},
                          {kNs + "unique_tally", "confirmed"},
                          {kNs + "registry()::r", "confirmed"},
                          {kNs + "prices", "confirmed"},
                          {kNs + "shared_tally", "dynamic only"},
                          {kNs + "target_ptr", "static only"},
                      }))
      << report.dump(2);
}

TEST(VerifyFailOn, ExitStatusSaysWhetherTheTrafficMutatedGlobals) {
  std::string log;
  // mutation: any mutated global fails the run, named on one error line.
  serve_and_verify("counter", 2, false, times(3, {"/"}), {"--verify-fail-on=mutation"}, &log, 6);
  EXPECT_NE(log.find("verification failed (--verify-fail-on=mutation): 1 global(s) mutated after "
                     "fork: (anonymous namespace)::visits"),
            std::string::npos)
      << log;
  serve_and_verify("counter_fixed", 2, false, times(3, {"/"}), {"--verify-fail-on=mutation"});
  // dynamic-only: only what the checker did not flag fails it.
  serve_and_verify("counter", 2, false, times(3, {"/"}),
                   {"--verify-fail-on=dynamic-only", "--static-report", findings("counter")});
  serve_and_verify("verify_heap", 2, false, times(2, {"/raw", "/shared"}),
                   {"--verify-fail-on=dynamic-only", "--static-report", findings("verify_heap")},
                   &log, 6);
  EXPECT_NE(log.find("1 global(s) mutated that forksafe-check did not flag: (anonymous "
                     "namespace)::shared_tally"),
            std::string::npos)
      << log;
}

TEST(VerifyFailOn, BadValuesAreOneLineErrors) {
  TempDir dir;
  std::string r = "--verify=" + dir.file("r.json");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  std::vector<Case> cases = {
      {{r, "--verify-fail-on=sometimes", app("counter")}, "expected mutation or dynamic-only"},
      {{"--verify-fail-on=mutation", app("counter")}, "without --verify"},
      {{r, "--verify-fail-on=dynamic-only", app("counter")}, "without --static-report"},
      {{r, "--verify-heap-limit=lots", app("counter")}, "expected a size such as 64M"},
      {{r, "--verify-heap-limit=12T", app("counter")}, "expected a size such as 64M"},
  };
  for (const Case& c : cases) {
    ExitRun run = run_to_exit(c.args);
    EXPECT_EQ(run.code, 2) << run.log;
    EXPECT_EQ(lines(run.log), 1) << run.log;
    EXPECT_NE(run.log.find(c.message), std::string::npos) << run.log;
  }
}

// The committed findings above are what forksafe-check says about each example; when the checker
// is built (or FORKSAFE_CHECKER_FOR_TESTS names one), check that it still says exactly that.
#ifdef FORKSAFE_CHECK_BIN
json run_checker(const std::string& source) {
  ProcessOptions options;
  options.timeout_seconds = 120;
  ProcessResult r = run_process({FORKSAFE_CHECK_BIN, "--format=json", "-q", source, "--",
                                 "-std=c++17", std::string("-I") + FORKSAFE_INCLUDE_DIR},
                                options);
  return json::parse(r.out, nullptr, false);
}
#endif

[[maybe_unused]] std::set<std::string> keys(const json& report) {
  std::set<std::string> out;
  for (const json& f : report["findings"])
    out.insert(f["rule"].get<std::string>() + " " + f["severity"].get<std::string>() + " " +
               f["mangled"].get<std::string>());
  return out;
}

TEST(VerifyChecker, ExamplesGetExactlyTheCommittedFindings) {
#ifndef FORKSAFE_CHECK_BIN
  GTEST_SKIP() << "forksafe-check is not built (FORKSAFE_BUILD_CHECKER=OFF)";
#else
  const std::vector<std::pair<std::string, std::string> > sources = {
      {"counter", "runtime/examples/counter/counter.cpp"},
      {"counter_fixed", "runtime/examples/counter/counter_fixed.cpp"},
      {"sessions", "runtime/examples/sessions/sessions.cpp"},
      {"sessions_fixed", "runtime/examples/sessions/sessions_fixed.cpp"},
      {"ids", "runtime/examples/ids/ids.cpp"},
      {"ids_fixed", "runtime/examples/ids/ids_fixed.cpp"},
      {"tokens", "runtime/examples/tokens/tokens.cpp"},
      {"tokens_fixed", "runtime/examples/tokens/tokens_fixed.cpp"},
      {"cache", "runtime/examples/cache/cache.cpp"},
      {"cache_fixed", "runtime/examples/cache/cache_fixed.cpp"},
      {"dbconn", "runtime/examples/dbconn/dbconn.cpp"},
      {"dbconn_fixed", "runtime/examples/dbconn/dbconn_fixed.cpp"},
      {"quota", "runtime/examples/quota/quota.cpp"},
      {"quota_fixed", "runtime/examples/quota/quota_fixed.cpp"},
      {"stock", "runtime/examples/stock/stock.cpp"},
      {"stock_fixed", "runtime/examples/stock/stock_fixed.cpp"},
      {"verify_hidden_write", "tests/serve/apps/verify_hidden_write.cpp"},
  };
  for (const auto& [name, source] : sources) {
    json actual = run_checker(std::string(FORKSAFE_SOURCE_DIR) + "/" + source);
    ASSERT_TRUE(actual.is_object()) << source;
    EXPECT_EQ(keys(actual), keys(json::parse(read_file(findings(name))))) << source;
    bool fixed = name.find("_fixed") != std::string::npos;
    int errors = 0;
    for (const json& f : actual["findings"]) errors += f["severity"] == "error";
    if (fixed) {
      EXPECT_EQ(errors, 0) << source;
    } else {
      EXPECT_GT(errors, 0) << source;
    }
  }
#endif
}

}  // namespace
}  // namespace fstest
