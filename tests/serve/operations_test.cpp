// Operations against real processes: bad input and exit codes, config file and environment,
// --check-config/--print-config, access and error logs (USR1 reopen), metrics, USR2 re-exec.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <thread>

#include "harness.hpp"

namespace fstest {
namespace {

int line_count(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

TEST(ServeCli, BadInputGivesOneLineAndExitCode) {
  TempDir dir;
  CliRun unknown = run_cli(dir, {"--no-such-flag", test_app()});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_EQ(line_count(unknown.output), 1) << unknown.output;
  EXPECT_EQ(unknown.output.rfind("forksafe-serve: error: ", 0), 0u) << unknown.output;

  TempDir d2;
  CliRun workers = run_cli(d2, {"-w", "0", test_app()});
  EXPECT_EQ(workers.code, 2);
  EXPECT_NE(workers.output.find("cannot use 0 workers"), std::string::npos) << workers.output;

  TempDir d3;
  CliRun no_app = run_cli(d3, {"-b", "127.0.0.1:0"});
  EXPECT_EQ(no_app.code, 2);
  EXPECT_EQ(line_count(no_app.output), 1) << no_app.output;

  TempDir d4;
  CliRun kind = run_cli(d4, {"-k", "gevent", test_app()});
  EXPECT_EQ(kind.code, 2);
  EXPECT_EQ(line_count(kind.output), 1) << kind.output;

  TempDir d5;
  CliRun config = run_cli(d5, {"--config", d5.file("missing.toml"), test_app()});
  EXPECT_EQ(config.code, 2);
  EXPECT_EQ(line_count(config.output), 1) << config.output;

  TempDir d6;
  std::ofstream(d6.file("typo.toml")) << "wokers = 2\n";
  CliRun typo = run_cli(d6, {"--config", d6.file("typo.toml"), "-b", "127.0.0.1:0", test_app()});
  EXPECT_EQ(typo.code, 2) << "an unknown key is an error, not silently ignored";
  EXPECT_EQ(line_count(typo.output), 1) << typo.output;
}

TEST(ServeCli, BadBindAndMissingAppAreReportedNotRetried) {
  TempDir dir;
  CliRun bind = run_cli(dir, {"-b", "not-an-address", test_app()});
  EXPECT_EQ(bind.code, 1);
  EXPECT_NE(bind.output.find("cannot parse bind address 'not-an-address'"), std::string::npos)
      << bind.output;

  TempDir d2;
  CliRun missing = run_cli(d2, {"-b", "127.0.0.1:0", d2.file("nope.so")});
  EXPECT_EQ(missing.code, 4);
  EXPECT_NE(missing.output.find("cannot load app '" + d2.file("nope.so") +
                                "': No such file or directory"),
            std::string::npos)
      << missing.output;
  EXPECT_EQ(missing.output.find("Listening at"), std::string::npos)
      << "refused before any listener is announced (cli_test.cpp has one case per message)";

  TempDir d3;
  std::ofstream(d3.file("garbage.so")) << "not an ELF file";
  CliRun garbage = run_cli(d3, {"-b", "127.0.0.1:0", "--preload", d3.file("garbage.so")});
  EXPECT_EQ(garbage.code, 4);
  EXPECT_NE(garbage.output.find("cannot load app"), std::string::npos);
}

TEST(ServeCli, CheckConfigAndPrintConfig) {
  TempDir dir;
  CliRun ok = run_cli(dir, {"--check-config", test_app()});
  EXPECT_EQ(ok.code, 0) << ok.output;
  EXPECT_NE(ok.output.find("configuration OK"), std::string::npos);
  TempDir d2;
  CliRun bad = run_cli(d2, {"--check-config", d2.file("missing.so")});
  EXPECT_EQ(bad.code, 4);
  TempDir d3;
  CliRun print = run_cli(d3, {"--print-config", "-w", "3", test_app()});
  EXPECT_EQ(print.code, 0);
  EXPECT_NE(print.output.find("workers=3"), std::string::npos) << print.output;
}

TEST(ServeConfig, FileAndEnvironment) {
  TempDir dir;
  std::ofstream(dir.file("serve.toml")) << "workers = 2\nbind = [\"127.0.0.1:0\"]\n";
  Server s;
  ASSERT_TRUE(s.start_and_wait(dir, {"--config", dir.file("serve.toml"), test_app()}, 2,
                               {{"FORKSAFE_WORKER_CLASS", "sync"}}));
  EXPECT_TRUE(s.wait_workers(2));
  EXPECT_EQ(s.log_count("Using worker: sync"), 1);
  EXPECT_NE(http_get(s.url("/hello")).headers.find("Connection: close"), std::string::npos);
}

TEST(ServeConfig, WebConcurrencySetsDefaultWorkers) {
  TempDir dir;
  Server s;
  ASSERT_TRUE(
      s.start_and_wait(dir, {"-b", "127.0.0.1:0", test_app()}, 3, {{"WEB_CONCURRENCY", "3"}}));
  EXPECT_TRUE(s.wait_workers(3));
}

TEST(Logs, AccessLogCombinedFormatAndUsr1Reopen) {
  TempDir dir;
  std::string access = dir.file("access.log");
  Server s;
  ASSERT_TRUE(s.start_and_wait(
      dir,
      {"-b", "127.0.0.1:0", "--access-logfile", access, "--pid", dir.file("serve.pid"), test_app()},
      1));
  HttpRequest req;
  req.url = s.url("/users/7?x=1");
  req.headers = {"User-Agent: forksafe-test", "Referer: http://example.invalid/"};
  EXPECT_EQ(Client().perform(req).status, 200);
  ASSERT_TRUE(eventually([&] { return count_lines_with(access, "GET /users/7?x=1") == 1; }));
  static const std::regex combined(
      R"(127\.0\.0\.1 - - \[[^\]]+\] "GET /users/7\?x=1 HTTP/1\.1" 200 6 "http://example\.invalid/" "forksafe-test")");
  EXPECT_TRUE(std::regex_search(read_file(access), combined)) << read_file(access);
  EXPECT_EQ(std::stoi(read_file(dir.file("serve.pid"))), s.pid());
  ASSERT_EQ(std::rename(access.c_str(), (access + ".1").c_str()), 0);
  s.signal(SIGUSR1);
  EXPECT_TRUE(eventually([&] {
    http_get(s.url("/hello"));
    return count_lines_with(access, "GET /hello") >= 1;
  }));
  s.signal(SIGTERM);
  ASSERT_TRUE(s.wait_exit().has_value());
  EXPECT_EQ(::access(dir.file("serve.pid").c_str(), F_OK), -1) << "pid file removed on exit";
}

TEST(Metrics, PrometheusEndpoint) {
  TempDir dir;
  Server s;
  ASSERT_TRUE(
      s.start_and_wait(dir, {"-b", "127.0.0.1:0", "--metrics-bind", "127.0.0.1:0", test_app()}, 1));
  for (int i = 0; i < 3; ++i) http_get(s.url("/hello"));
  http_get(s.url("/missing"));
  std::smatch m;
  std::string log = s.log();
  ASSERT_TRUE(std::regex_search(log, m, std::regex(R"(Metrics at: (http://127\.0\.0\.1:\d+))")));
  std::string body;
  EXPECT_TRUE(eventually(
      [&] {
        body = http_get(std::string(m[1]) + "/metrics").body;
        return body.find("forksafe_requests_total{worker=\"0\",status=\"200\"} 3") !=
               std::string::npos;
      },
      5000ms))
      << body;
  EXPECT_NE(body.find("forksafe_requests_total{worker=\"0\",status=\"404\"} 1"), std::string::npos);
  EXPECT_NE(body.find("forksafe_workers_alive 1"), std::string::npos);
  EXPECT_NE(body.find("forksafe_request_duration_seconds_count 4"), std::string::npos);
  EXPECT_NE(body.find("forksafe_worker_restarts_total 0"), std::string::npos);
}

TEST(Signals, Usr2StartsNewMasterOnInheritedListeners) {
  TempDir dir;
  Server s;
  std::string pidfile = dir.file("serve.pid");
  ASSERT_TRUE(s.start_and_wait(
      dir, {"-b", "127.0.0.1:0", "--pid", pidfile, "--metrics-bind", "127.0.0.1:0", test_app()},
      1));
  s.signal(SIGUSR2);
  ASSERT_TRUE(s.wait_log("Booted worker", 2)) << s.log();
  EXPECT_EQ(s.log_count("Listening at: http://127.0.0.1:" + std::to_string(s.port())), 2)
      << "the new master serves the same inherited socket";
  pid_t new_master = 0;
  ASSERT_TRUE(eventually([&] {
    std::string text = read_file(pidfile);
    new_master = text.empty() ? 0 : std::stoi(text);
    return new_master != 0 && new_master != s.pid();
  }));
  EXPECT_EQ(std::stoi(read_file(pidfile + ".oldbin")), s.pid());
  std::smatch m;
  std::string log = s.log();
  ASSERT_TRUE(std::regex_search(log, m, std::regex(R"(Metrics at: (http://127\.0\.0\.1:\d+))")));
  EXPECT_EQ(s.log_count(std::string("Metrics at: ") + std::string(m[1])), 2)
      << "the new master took over the metrics socket too";
  s.signal(SIGTERM);  // retire the old master; the new one keeps serving
  ASSERT_TRUE(s.wait_exit().has_value());
  EXPECT_EQ(http_get(s.url("/hello")).status, 200);
  ::kill(new_master, SIGTERM);
  EXPECT_TRUE(eventually([&] {
    std::string stat = read_file("/proc/" + std::to_string(new_master) + "/stat");
    return stat.empty() || stat.find(") Z") != std::string::npos;
  }));
}

// The client address a handler sees (Request::peer) and the access log's %h, on a TCP/IPv4, a
// TCP/IPv6 and a unix-socket listener, for every worker type.
TEST(Logs, PeerAddressOnEveryListenerAndWorkerType) {
  for (const char* kind : {"event", "sync", "threads"}) {
    SCOPED_TRACE(kind);
    TempDir dir;
    Server s;
    const std::string sock = dir.file("app.sock");
    const std::string access = dir.file("access.log");
    ASSERT_TRUE(
        s.start_and_wait(dir,
                         {"-b", "127.0.0.1:0", "-b", "[::1]:0", "-b", "unix:" + sock, "-k", kind,
                          "--access-logfile", access, "--access-logformat", "%h %U", test_app()},
                         1));
    std::smatch m;
    const std::string log = s.log();
    ASSERT_TRUE(std::regex_search(log, m, std::regex(R"(Listening at: http://\[::1\]:(\d+))")));
    HttpRequest v4;
    v4.url = s.url("/peer");
    HttpRequest v6;
    v6.url = "http://[::1]:" + m[1].str() + "/peer";
    HttpRequest viaunix;
    viaunix.url = "http://localhost/peer";
    viaunix.unix_socket = sock;
    EXPECT_TRUE(std::regex_match(Client().perform(v4).body, std::regex(R"(127\.0\.0\.1:\d+)")));
    EXPECT_TRUE(std::regex_match(Client().perform(v6).body, std::regex(R"(\[::1\]:\d+)")));
    EXPECT_EQ(Client().perform(viaunix).body, "unix:0");
    ASSERT_TRUE(eventually([&] { return count_lines_with(access, "/peer") == 3; }))
        << read_file(access);
    const std::string lines = read_file(access);
    EXPECT_NE(lines.find("127.0.0.1 /peer\n"), std::string::npos) << lines;
    EXPECT_NE(lines.find("[::1] /peer\n"), std::string::npos) << lines;
    EXPECT_NE(lines.find("unix /peer\n"), std::string::npos) << lines;
  }
}

}  // namespace
}  // namespace fstest

namespace fstest {
namespace {

TEST(Signals, HupRereadsTheConfigFile) {
  TempDir dir;
  std::string config = dir.file("serve.toml");
  std::ofstream(config) << "workers = 1\n";
  Server s;
  ASSERT_TRUE(s.start_and_wait(dir, {"-b", "127.0.0.1:0", "--config", config, test_app()}, 1));
  std::ofstream(config, std::ios::trunc) << "workers = 3\n";
  s.signal(SIGHUP);
  EXPECT_TRUE(s.wait_log("Reload complete"));
  EXPECT_TRUE(s.wait_workers(3));
}

TEST(Listeners, SystemdSocketActivationServes) {
  int port = 0;
  int fd = listen_local(&port);
  ASSERT_GE(fd, 0);
  TempDir dir;
  Server s;
  // -b names a port nobody may bind (1): the inherited socket must be used instead.
  s.start(dir, {"-b", "127.0.0.1:1", test_app()}, {{"LISTEN_FDS", "1"}, {"LISTEN_PID", "$PID"}},
          fd);
  ::close(fd);
  ASSERT_TRUE(s.wait_listening()) << s.log();
  EXPECT_EQ(s.port(), port);
  ASSERT_TRUE(s.wait_log("Booted worker"));
  EXPECT_EQ(http_get(s.url("/hello")).body, "hello");
}

TEST(Operations, UserAndChdir) {
  if (::geteuid() != 0) GTEST_SKIP() << "--user needs root";
  TempDir dir;
  Server s;
  ASSERT_TRUE(s.start_and_wait(
      dir, {"-b", "127.0.0.1:0", "--user", "nobody", "--chdir", dir.path(), test_app()}, 1));
  ASSERT_TRUE(s.wait_workers(1));
  std::string status = read_file("/proc/" + std::to_string(s.workers().front()) + "/status");
  EXPECT_NE(status.find("Uid:\t65534"), std::string::npos) << "worker runs as nobody";
  EXPECT_EQ(http_get(s.url("/hello")).status, 200);
  TempDir d2;
  Server bad;
  bad.start(d2, {"-b", "127.0.0.1:0", "--user", "no-such-user-here", test_app()});
  auto code = bad.wait_exit(10000ms);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(Server::exit_code(*code), 3) << bad.log();
  EXPECT_NE(bad.log().find("cannot switch to user 'no-such-user-here'"), std::string::npos);
}

}  // namespace
}  // namespace fstest

namespace fstest {
namespace {

TEST(Logs, ErrorLogFileLevelsAndReopen) {
  // With --log-level warning the "Listening at" line is filtered, so hand the server a socket whose
  // port we already know (socket activation) instead of reading the port from the log.
  TempDir dir;
  std::string error_log = dir.file("error.log");
  Server quiet;
  EXPECT_TRUE(quiet.start_activated(
      dir, {"--error-logfile", error_log, "--log-level", "warning", test_app()}));
  const std::string base = quiet.url("");
  EXPECT_EQ(count_lines_with(error_log, "[INFO]"), 0);
  http_get(base + "/throw");
  EXPECT_TRUE(eventually([&] { return count_lines_with(error_log, "[ERROR]") == 1; }));
  ASSERT_EQ(std::rename(error_log.c_str(), (error_log + ".1").c_str()), 0);
  quiet.signal(SIGUSR1);
  EXPECT_TRUE(eventually([&] {
    http_get(base + "/throw");
    return count_lines_with(error_log, "secret internal detail") >= 1;
  })) << "workers reopened the error log";
}

}  // namespace
}  // namespace fstest
