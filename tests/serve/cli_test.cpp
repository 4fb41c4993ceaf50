// forksafe-serve as a new user meets it: one exact message per start-up mistake, refused before
// any listener is announced, the same refusal from --check-config, and --help / man page / docs
// that list the same options.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>

#include "harness.hpp"

namespace fstest {
namespace {

// A run in a fresh directory of its own.
CliRun run_cli(std::vector<std::string> args,
               std::vector<std::pair<std::string, std::string>> env = {}) {
  TempDir dir;
  return run_cli(dir, std::move(args), std::move(env));
}

/// The one error of a run: what follows "[ERROR] " in the master's log, or "error: " on stderr.
std::string error_of(const std::string& output) {
  for (const char* marker : {"[ERROR] ", "forksafe-serve: error: "}) {
    std::size_t at = output.find(marker);
    if (at == std::string::npos) continue;
    at += std::strlen(marker);
    return output.substr(at, output.find('\n', at) - at);
  }
  return "(no error in: " + output + ")";
}

std::string undefined_symbol_app() { return FORKSAFE_UNDEFINED_SYMBOL_APP; }
std::string preload_app() { return FORKSAFE_PRELOAD_APP; }

TEST(ServeCli, UnknownOptionNamesOnlyItAndTheClosestOne) {
  CliRun r = run_cli({"--wrokers", "4", test_app()});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.output, "forksafe-serve: error: unknown option --wrokers; did you mean --workers?\n");
  CliRun none = run_cli({"--frobnicate", test_app()});
  EXPECT_EQ(none.code, 2);
  EXPECT_EQ(none.output,
            "forksafe-serve: error: unknown option --frobnicate (forksafe-serve --help lists "
            "them)\n");
}

TEST(ServeCli, BareVerifyFollowedByAReportSaysToUseEquals) {
  for (auto args : std::vector<std::vector<std::string>>{{"--verify", "report.json", test_app()},
                                                         {"--verify", "report.json"}}) {
    CliRun r = run_cli(args);
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.output,
              "forksafe-serve: error: --verify takes its value only after '=': write "
              "--verify=report.json (as it stands, 'report.json' would be read as the app)\n");
  }
}

TEST(ServeCli, SecondAppIsNamedAsTheExtraArgument) {
  CliRun r = run_cli({test_app(), "other.so"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.output,
            "forksafe-serve: error: unexpected argument 'other.so': forksafe-serve "
            "serves one APP ('" +
                test_app() + "')\n");
}

TEST(ServeCli, BadValueAndConfigKeyAreWordedForTheUser) {
  CliRun value = run_cli({"--threads", "many", test_app()});
  EXPECT_EQ(value.code, 2);
  EXPECT_EQ(value.output,
            "forksafe-serve: error: cannot use 'many' for --threads: expected a whole number\n");
  CliRun member = run_cli({"-k", "gevent", test_app()});
  EXPECT_EQ(member.code, 2);
  EXPECT_EQ(member.output,
            "forksafe-serve: error: cannot use 'gevent' for --worker-class: "
            "expected event, sync or threads\n");
  CliRun range = run_cli({"--limit-request-body", "-5", test_app()});
  EXPECT_EQ(range.code, 2);
  EXPECT_EQ(range.output,
            "forksafe-serve: error: cannot use '-5' for --limit-request-body: "
            "expected 0 to 1099511627776\n");
  TempDir dir;
  std::ofstream(dir.file("typo.toml")) << "wokers = 2\n";
  CliRun key = run_cli({"--config", dir.file("typo.toml"), test_app()});
  EXPECT_EQ(key.code, 2);
  EXPECT_EQ(key.output,
            "forksafe-serve: error: unknown key 'wokers' in the config file; did you "
            "mean workers?\n");
}

/// A copy of the test app whose ELF header says another machine.
std::string foreign_machine_copy(const TempDir& dir) {
  std::string bytes = read_file(test_app());
  std::string path = dir.file("foreign.so");
#if defined(__x86_64__)
  const unsigned short other = 183;  // EM_AARCH64
#else
  const unsigned short other = 62;  // EM_X86_64
#endif
  std::memcpy(&bytes[18], &other, sizeof other);  // e_machine (little-endian hosts)
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

struct Refusal {
  std::string what;
  std::vector<std::string> args;  // without -b and the start/check mode
  int code;
  std::string message;
  std::vector<std::pair<std::string, std::string>> env = {};
};

std::vector<Refusal> refusals(const TempDir& dir) {
  std::ofstream(dir.file("garbage.so")) << "not an ELF file";
  const std::string foreign = foreign_machine_copy(dir);
  const std::string missing = dir.file("missing.so");
  const std::string nodir = dir.file("no/such/dir");
#if defined(__x86_64__)
  const std::string machines = "built for 64-bit AArch64, this server runs on 64-bit x86-64";
#else
  const std::string machines = "built for 64-bit x86-64, this server runs on 64-bit AArch64";
#endif
  return {
      {"missing app", {missing}, 4, "cannot load app '" + missing + "': No such file or directory"},
      {"not ELF",
       {dir.file("garbage.so")},
       4,
       "cannot load app '" + dir.file("garbage.so") + "': not an ELF file"},
      {"an executable",
       {"/bin/true"},
       4,
       "cannot load app '/bin/true': an ELF executable, not a shared library (build it with "
       "forksafe_add_app)"},
      {"another machine", {foreign}, 4, "cannot load app '" + foreign + "': " + machines},
      {"undefined symbol",
       {undefined_symbol_app()},
       4,
       "cannot load app '" + undefined_symbol_app() +
           "': undefined symbol helper_defined_elsewhere(int), needed by " +
           undefined_symbol_app()},
      {"registration throws",
       {test_app()},
       4,
       "cannot register app '" + test_app() + "': registration refused",
       {{"FORKSAFE_TEST_FAIL_REGISTER", "1"}}},
      {"registration hangs",
       {"-t", "0.3", test_app()},
       4,
       "cannot load app '" + test_app() + "': it did not finish loading within --timeout 0.3 s",
       {{"FORKSAFE_TEST_HANG_REGISTER", "1"}}},
      {"needs --preload",
       {preload_app()},
       2,
       "cannot start app '" + preload_app() +
           "' without --preload: the hit counter is shared memory that on_init creates before "
           "fork"},
      {"bad --chdir",
       {"--chdir", nodir, test_app()},
       2,
       "cannot change directory to '" + nodir + "': No such file or directory"},
      {"bad --pid directory",
       {"--pid", nodir + "/app.pid", test_app()},
       2,
       "cannot write pid file '" + nodir + "/app.pid': No such file or directory"},
      {"bad error log",
       {"--error-logfile", nodir + "/error.log", test_app()},
       2,
       "cannot open log file '" + nodir + "/error.log': No such file or directory"},
      {"bad access log",
       {"--access-logfile", nodir + "/access.log", test_app()},
       2,
       "cannot open log file '" + nodir + "/access.log': No such file or directory"},
      {"unknown user",
       {"--user", "no-such-user-here", test_app()},
       3,
       "cannot switch to user 'no-such-user-here': no such user"},
      {"unknown group",
       {"--group", "no-such-group-here", test_app()},
       3,
       "cannot switch to group 'no-such-group-here': no such group"},
      {"--static-report alone",
       {"--static-report", dir.file("f.json"), test_app()},
       2,
       "cannot use --static-report without --verify"},
  };
}

TEST(ServeCli, StartRefusesBeforeListeningAndCheckConfigRefusesTheSame) {
  TempDir dir;
  for (const Refusal& r : refusals(dir)) {
    SCOPED_TRACE(r.what);
    std::vector<std::string> start = {"-b", "127.0.0.1:0"};
    start.insert(start.end(), r.args.begin(), r.args.end());
    CliRun started = run_cli(start, r.env);
    EXPECT_EQ(started.code, r.code) << started.output;
    EXPECT_EQ(error_of(started.output), r.message);
    EXPECT_EQ(started.output.find("Listening at"), std::string::npos)
        << "a start-up error after the listener was announced:\n"
        << started.output;

    std::vector<std::string> check = start;
    check.insert(check.begin(), "--check-config");
    CliRun checked = run_cli(check, r.env);
    EXPECT_EQ(checked.code, r.code) << checked.output;
    EXPECT_EQ(error_of(checked.output), r.message);
  }
}

TEST(ServeCli, VerifyReportDirectoryIsCheckedBeforeListening) {
  TempDir dir;
  const std::string report = dir.file("no/such/dir/report.json");
  for (bool check : {false, true}) {
    std::vector<std::string> args = {"-b", "127.0.0.1:0", "--verify=" + report, test_app()};
    if (check) args.insert(args.begin(), "--check-config");
    CliRun r = run_cli(args);
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_NE(error_of(r.output).find("'" + report + "'"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("Listening at"), std::string::npos) << r.output;
  }
}

TEST(ServeCli, CheckConfigLeavesTheVerifyReportAsItWas) {
  TempDir dir;
  const std::string kept = dir.file("kept.json");
  std::ofstream(kept) << "{\"last\":\"run\"}\n";
  CliRun r = run_cli({"--check-config", "--verify=" + kept, test_app()});
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(read_file(kept), "{\"last\":\"run\"}\n");
  CliRun fresh =
      run_cli({"--check-config", "--chdir", dir.path(), "--verify=new.json", test_app()});
  EXPECT_EQ(fresh.code, 0) << fresh.output;
  EXPECT_NE(::access(dir.file("new.json").c_str(), F_OK), 0) << "a check leaves no report behind";
}

TEST(ServeCli, BusyMetricsPortIsReportedBeforeAnyListenerIsAnnounced) {
  int port = 0;
  int busy = listen_local(&port);
  ASSERT_GE(busy, 0);
  CliRun r = run_cli(
      {"-b", "127.0.0.1:0", "--metrics-bind", "127.0.0.1:" + std::to_string(port), test_app()});
  ::close(busy);
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_EQ(error_of(r.output),
            "cannot bind 127.0.0.1:" + std::to_string(port) + ": Address already in use");
  EXPECT_EQ(r.output.find("Listening at"), std::string::npos) << r.output;
}

TEST(ServeCli, NameShowsInPsForMasterAndWorkers) {
  for (const auto& [name, master, worker] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"shop", "shop-master", "shop-worker"},
           {"a-very-long-service-name", "a-very-l-master", "a-very-l-worker"}}) {
    TempDir dir;
    Server s;
    ASSERT_TRUE(s.start_and_wait(dir, {"-b", "127.0.0.1:0", "-w", "2", "-n", name, test_app()}, 2));
    ASSERT_TRUE(s.wait_workers(2));
    auto comm = [](pid_t pid) { return read_file("/proc/" + std::to_string(pid) + "/comm"); };
    EXPECT_EQ(comm(s.pid()), master + "\n");
    for (pid_t w : s.workers()) EXPECT_EQ(comm(w), worker + "\n");
  }
}

TEST(ServeCli, RequirePreloadAppServesOneSharedCounterWithPreload) {
  TempDir dir;
  Server s;
  ASSERT_TRUE(
      s.start_and_wait(dir, {"-b", "127.0.0.1:0", "-w", "2", "--preload", preload_app()}, 2));
  for (int expected = 1; expected <= 6; ++expected)
    EXPECT_EQ(http_get(s.url("/")).body, std::to_string(expected) + "\n");
  CliRun ok = run_cli({"--check-config", "--preload", preload_app()});
  EXPECT_EQ(ok.code, 0) << ok.output;
  EXPECT_EQ(ok.output,
            "forksafe-serve: configuration OK; app '" + preload_app() + "' has 1 routes\n");
}

TEST(ServeCli, HelpIsGroupedWithReadableHints) {
  CliRun r = run_cli({"--help"});
  EXPECT_EQ(r.code, 0);
  std::size_t last = 0;
  for (const char* group :
       {"Config:", "Server socket:", "Worker processes:", "Server mechanics:", "Process naming:",
        "Request limits:", "Logging:", "Verify:", "Debugging:"}) {
    std::size_t at = r.output.find(std::string("\n") + group + "\n");
    ASSERT_NE(at, std::string::npos) << group << " missing:\n" << r.output;
    EXPECT_GT(at, last) << group << " out of order";
    last = at;
  }
  EXPECT_NE(r.output.find("  --backlog INT "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("  -w, --workers INT "), std::string::npos);
  EXPECT_NE(r.output.find("  --verify[=REPORT.json] "), std::string::npos);
  for (const char* noise : {"INT:INT", " in [", "TEXT", "1099511627776", "Excludes", "Needs"})
    EXPECT_EQ(r.output.find(noise), std::string::npos) << noise << " in:\n" << r.output;
  for (const std::string& line : [&] {
         std::vector<std::string> lines;
         std::istringstream in(r.output);
         for (std::string l; std::getline(in, l);) lines.push_back(l);
         return lines;
       }())
    EXPECT_LE(line.size(), 90u) << line;
}

/// Option entries of --help: the set of names ("--bind", "-b") -> the default it shows ("" none).
std::map<std::set<std::string>, std::string> help_options(const std::string& help) {
  std::map<std::set<std::string>, std::string> out;
  static const std::regex name(R"((^|[ ,])(--?[a-z][a-z_-]*))");
  std::istringstream in(help);
  std::set<std::string> names;
  std::string text;
  auto flush = [&] {
    if (names.empty()) return;
    std::smatch m;
    static const std::regex def(R"(\(default: (.*)\)$)");
    out[names] = std::regex_search(text, m, def) ? m[1].str() : "";
    names.clear();
    text.clear();
  };
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("  -", 0) == 0) {
      flush();
      // The label ends at the first two spaces; a long label has the line to itself.
      const std::size_t gap = line.find("  ", 2);
      std::string label = line.substr(0, gap);
      for (std::sregex_iterator it(label.begin(), label.end(), name), end; it != end; ++it)
        names.insert((*it)[2].str());
      text = gap == std::string::npos ? "" : line.substr(line.find_first_not_of(' ', gap));
    } else if (!names.empty() && line.rfind("      ", 0) == 0) {
      std::size_t start = line.find_first_not_of(' ');
      text += (text.empty() ? "" : " ") + line.substr(start);
    } else {
      flush();
    }
  }
  flush();
  return out;
}

/// The Settings table of docs/runtime.md, read the same way.
std::map<std::set<std::string>, std::string> docs_options(const std::string& markdown) {
  std::map<std::set<std::string>, std::string> out;
  std::istringstream in(markdown);
  static const std::regex row(R"(^\| `([^`]*)`[^|]*\| ([^|]*) \|)");
  static const std::regex name(R"((^|[ ,])(--?[a-z][a-z_-]*))");
  bool in_settings = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) in_settings = line == "## Settings";
    std::smatch m;
    if (!in_settings || !std::regex_search(line, m, row)) continue;
    std::string first = m[1].str();
    std::set<std::string> names;
    for (std::sregex_iterator it(first.begin(), first.end(), name), end; it != end; ++it)
      names.insert((*it)[2].str());
    if (names.empty()) continue;  // APP
    std::string shown = m[2].str();
    shown.erase(std::remove(shown.begin(), shown.end(), '`'), shown.end());
    out[names] = shown == "—" || shown == "off" ? "" : shown;
  }
  return out;
}

TEST(ServeCli, DocsListTheSameOptionsAsHelp) {
  CliRun help = run_cli({"--help"});
  ASSERT_EQ(help.code, 0);
  auto from_help = help_options(help.output);
  auto from_docs = docs_options(read_file(std::string(FORKSAFE_SOURCE_DIR) + "/docs/runtime.md"));
  ASSERT_GT(from_help.size(), 30u) << help.output;
  for (const auto& [names, shown] : from_help) {
    std::string label = *names.rbegin();
    auto it = from_docs.find(names);
    ASSERT_NE(it, from_docs.end()) << label << " is in --help but not in docs/runtime.md";
    EXPECT_EQ(it->second, shown) << label << ": docs/runtime.md and --help disagree on the default";
  }
  for (const auto& [names, shown] : from_docs)
    EXPECT_TRUE(from_help.count(names)) << *names.rbegin() << " is documented but not in --help";
}

TEST(ServeCli, ManPageIsGeneratedFromTheOptionTable) {
  const std::string checked_in =
      read_file(std::string(FORKSAFE_SOURCE_DIR) + "/docs/forksafe-serve.1");
  const std::string generated = read_file(FORKSAFE_MAN_PAGE);
  EXPECT_EQ(checked_in, generated)
      << "docs/forksafe-serve.1 is out of date: run scripts/update-manpage.sh";
  for (const char* entry : {".SS Server socket", "\\fB\\-\\-backlog\\fR \\fIINT\\fR",
                            ".SH EXIT STATUS", "\\-\\-verify\\fR[=\\fIREPORT.json\\fR]"})
    EXPECT_NE(generated.find(entry), std::string::npos) << entry;
}

}  // namespace
}  // namespace fstest
