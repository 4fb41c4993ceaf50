// hellod: a classic hand-written pre-fork HTTP/1.0 server (think early Apache). The master binds
// the listening socket, forks kWorkers children; each child accepts and serves one request at a
// time.
#include "forksafe/annotations.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>

namespace {

constexpr int kWorkers = 4;
constexpr int kPort = 8000;
constexpr char kStatusLine[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n";

int g_listen_fd = -1;
int g_log_fd = -1;
int g_statsd_fd = -1;
unsigned g_worker_index = 0;
char g_server_header[64];
volatile std::time_t g_now_cached = 0;
pthread_mutex_t g_stats_lock = PTHREAD_MUTEX_INITIALIZER;
unsigned long g_served = 0;
unsigned long g_bytes_out = 0;
FORKSAFE_PER_WORKER std::mt19937 g_rng;
FORKSAFE_PER_WORKER char g_resp_buf[8192];

void* ticker_main(void*) {
  for (;;) {
    g_now_cached = std::time(nullptr);
    sleep(1);
  }
  return nullptr;
}

void log_line(const char* msg, int len) {
  char line[256];
  int n = std::snprintf(line, sizeof line, "%ld w%u %.*s\n", static_cast<long>(g_now_cached),
                        g_worker_index, len, msg);
  if (n > 0) (void)write(g_log_fd, line, static_cast<std::size_t>(n));
}

void report_metric(const char* name, long value) {
  char buf[128];
  int n = std::snprintf(buf, sizeof buf, "hellod.%s:%ld|c", name, value);
  if (n > 0) (void)send(g_statsd_fd, buf, static_cast<std::size_t>(n), MSG_DONTWAIT);
}

}  // namespace

FORKSAFE_INIT void master_init() {
  g_listen_fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(g_listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(kPort);
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  bind(g_listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  listen(g_listen_fd, 128);

  g_log_fd = open("/var/log/hellod.log", O_WRONLY | O_CREAT | O_APPEND, 0644);

  g_statsd_fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in statsd{};
  statsd.sin_family = AF_INET;
  statsd.sin_port = htons(8125);
  inet_pton(AF_INET, "127.0.0.1", &statsd.sin_addr);
  connect(g_statsd_fd, reinterpret_cast<sockaddr*>(&statsd), sizeof statsd);

  std::snprintf(g_server_header, sizeof g_server_header, "Server: hellod/1.4\r\n");
  srandom(static_cast<unsigned>(std::time(nullptr)));

  pthread_t tid;
  pthread_create(&tid, nullptr, &ticker_main, nullptr);
  pthread_detach(tid);
}

FORKSAFE_WORKER_INIT void worker_init() {
  g_rng.seed(static_cast<unsigned>(getpid()) * 2654435761u ^ static_cast<unsigned>(random()));
  signal(SIGPIPE, SIG_IGN);
}

FORKSAFE_HANDLER void handle_request(int fd) {
  char req[4096];
  ssize_t n = read(fd, req, sizeof req - 1);
  if (n <= 0) {
    close(fd);
    return;
  }
  req[n] = '\0';
  ++g_served;
  std::uniform_int_distribution<int> dist(0, 999999);
  int len = std::snprintf(g_resp_buf, sizeof g_resp_buf,
                          "%s%sX-Request-Id: %06d\r\n\r\nhello from worker %u (%lu served)\n",
                          kStatusLine, g_server_header, dist(g_rng), g_worker_index, g_served);
  if (len > 0) (void)write(fd, g_resp_buf, static_cast<std::size_t>(len));
  pthread_mutex_lock(&g_stats_lock);
  g_bytes_out += static_cast<unsigned long>(len);
  pthread_mutex_unlock(&g_stats_lock);
  const char* eol = std::strchr(req, '\r');
  log_line(req, eol != nullptr ? static_cast<int>(eol - req) : static_cast<int>(n));
  report_metric("requests", 1);
  close(fd);
}

static void worker_loop() {
  for (;;) {
    int fd = accept(g_listen_fd, nullptr, nullptr);
    if (fd >= 0) handle_request(fd);
  }
}

int main() {
  master_init();
  for (unsigned i = 0; i < kWorkers; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      g_worker_index = i;
      worker_init();
      worker_loop();
      _exit(0);
    }
  }
  while (wait(nullptr) > 0) {
  }
  return 0;
}
