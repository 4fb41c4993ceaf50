// Fixture: libmicrohttpd, compiled against the real <microhttpd.h> (Debian's libmicrohttpd-dev).
// The access handler passed to MHD_start_daemon is the request path; a SIGINT handler that sets
// an exit flag and a setter nobody calls are not.
// RUN-ARGS: --checks=-*,forksafe-per-worker-state,forksafe-unsynchronized-state
#include <microhttpd.h>

#include <csignal>
#include <cstring>
#include <unistd.h>

static volatile std::sig_atomic_t stopRequested = 0;
static long requests = 0;  // expect: forksafe-per-worker-state forksafe-unsynchronized-state // expect-message: handler 'answer()'
static int verbosity = 0;
static int terminations = 0;

void set_verbosity(int level) { verbosity = level; }

static void on_sigint(int) { stopRequested = 1; }
static void on_sigterm(int) { ++terminations; }

static MHD_Result answer(void*, MHD_Connection* connection, const char*, const char*, const char*,
                         const char*, size_t*, void**) {
  ++requests;
  static const char page[] = "hello";
  MHD_Response* response = MHD_create_response_from_buffer(
      std::strlen(page), const_cast<char*>(page), MHD_RESPMEM_PERSISTENT);
  MHD_Result ret = MHD_queue_response(connection, MHD_HTTP_OK, response);
  MHD_destroy_response(response);
  return ret;
}

int main() {
  std::signal(SIGINT, on_sigint);
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigterm;
  sigaction(SIGTERM, &sa, nullptr);
  MHD_Daemon* daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 8080, nullptr, nullptr,
                                        &answer, nullptr, MHD_OPTION_END);
  while (!stopRequested) sleep(1);
  MHD_stop_daemon(daemon);
}
