// Fixture: deployment model, pre-fork. main() forks its workers before serving, so whatever main()
// set up is inherited by every worker: every rule applies. deployment-replicas.cpp is the same
// program without the fork().
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <random>
#include <thread>

namespace {
int g_requests = 0;                           // expect: forksafe-per-worker-state forksafe-unsynchronized-state
int g_listen = -1;                            // expect: forksafe-prefork-descriptor
std::mt19937 g_default;                       // expect: forksafe-prefork-rng forksafe-unsynchronized-state
std::mt19937 g_random{std::random_device{}()};  // expect: forksafe-prefork-rng forksafe-unsynchronized-state

void Serve() {
  ++g_requests;
  (void)g_default();
  (void)g_random();
  (void)accept(g_listen, nullptr, nullptr);
}
}  // namespace

int serve_forever(void (*handler)());  // the server library: accepts and calls the handler

int main() {
  g_listen = socket(AF_INET, SOCK_STREAM, 0);
  std::srand(static_cast<unsigned>(std::time(nullptr)));  // expect: forksafe-prefork-rng
  std::thread([] {}).detach();                 // expect: forksafe-prefork-thread
  for (int i = 0; i < 4; ++i)
    if (fork() == 0) return serve_forever(Serve);
  return 0;
}
