// App used by the integration tests: routes that echo, sleep, throw, crash, segfault, spin and
// exhaust descriptors, plus hooks that leave traces in files named by environment variables.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <forksafe/app.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

void append_line(const char* env_name, const std::string& what) {
  const char* path = std::getenv(env_name);
  if (!path) return;
  if (std::FILE* f = std::fopen(path, "a")) {
    std::fprintf(f, "%s %d\n", what.c_str(), static_cast<int>(::getpid()));
    std::fclose(f);
  }
}

FORKSAFE_INIT void on_init() { append_line("FORKSAFE_TEST_INIT_LOG", "init"); }

FORKSAFE_WORKER_INIT void on_worker_init() {
  if (std::getenv("FORKSAFE_TEST_FAIL_WORKER_INIT"))
    throw std::runtime_error("worker init refused");
  if (std::getenv("FORKSAFE_TEST_CRASH_WORKER_INIT")) std::abort();
  append_line("FORKSAFE_TEST_WORKER_LOG", "worker-init");
}

void on_worker_exit() { append_line("FORKSAFE_TEST_EXIT_LOG", "worker-exit"); }

// Takes every free descriptor of the worker for `ms` milliseconds, re-taking any that the server
// frees meanwhile, then gives them all back: descriptor pressure that ends by itself.
void exhaust_descriptors(int ms) {
  std::vector<int> held;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < until) {
    for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) held.push_back(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  for (int fd : held) ::close(fd);
}

}  // namespace

FORKSAFE_APP(app) {
  if (std::getenv("FORKSAFE_TEST_FAIL_REGISTER")) throw std::runtime_error("registration refused");
  if (std::getenv("FORKSAFE_TEST_HANG_REGISTER"))
    for (;;) ::pause();  // a registration that never returns (bounded by --timeout)
  using forksafe::Request;
  using forksafe::Response;
  app.on_init(on_init);
  app.on_worker_init(on_worker_init);
  app.on_worker_exit(on_worker_exit);
  app.get("/hello", [](const Request&) { return Response::text("hello"); });
  app.get("/users/:id",
          [](const Request& r) { return Response::text("user " + std::string(r.param("id"))); });
  app.del("/users/:id", [](const Request&) { return Response::empty(204); });
  app.get("/query",
          [](const Request& r) { return Response::text(r.query_param("q").value_or("<none>")); });
  app.post("/echo", [](const Request& r) {
    Response resp = Response::text(r.body);
    resp.header("X-Body-Length", std::to_string(r.body.size()));
    return resp;
  });
  app.get("/pid", [](const Request&) { return Response::text(std::to_string(::getpid())); });
  app.get("/peer", [](const Request& r) { return Response::text(r.peer); });
  app.get("/header/:name",
          [](const Request& r) { return Response::text(std::string(r.header(r.param("name")))); });
  app.get("/throw",
          [](const Request&) -> Response { throw std::runtime_error("secret internal detail"); });
  app.get("/crash", [](const Request&) -> Response { std::abort(); });
  app.get("/segv", [](const Request&) -> Response {
    // A real invalid store (volatile: not a compiler trap), into a page with no access rather than
    // through null, with the default SIGSEGV action: UBSan's null check and ASan's SEGV handler
    // (scripts/sanitize.sh) would otherwise turn the promised death by signal 11 into a report
    // and exit status 1.
    ::signal(SIGSEGV, SIG_DFL);
    void* page = ::mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *static_cast<volatile int*>(page) = 1;
    return Response::text("unreachable");
  });
  app.get("/fds/exhaust/:ms", [](const Request& r) {
    int ms = std::atoi(std::string(r.param("ms")).c_str());
    std::thread(exhaust_descriptors, ms).detach();
    return Response::text("exhausting descriptors for " + std::to_string(ms) + " ms");
  });
  app.get("/spin", [](const Request&) -> Response {
    volatile unsigned long n = 0;
    for (;;) n = n + 1;
  });
  app.get("/sleep/:ms", [](const Request& r) {
    int ms = std::atoi(std::string(r.param("ms")).c_str());
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return Response::text("slept " + std::to_string(ms) + " in " + std::to_string(::getpid()));
  });
}
