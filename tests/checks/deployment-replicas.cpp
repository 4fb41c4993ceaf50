// Fixture: deployment model, replicas. main() never forks: the program scales by running several
// copies of itself. Threads and descriptors are fine; state, races and RNGs seeded the same way in
// every replica still break. deployment-fork.cpp is the same program with a fork().
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <random>
#include <thread>

namespace {
int g_requests = 0;                           // expect: forksafe-per-worker-state forksafe-unsynchronized-state
int g_listen = -1;
std::mt19937 g_default;                       // expect: forksafe-prefork-rng forksafe-unsynchronized-state
std::mt19937 g_random{std::random_device{}()};  // expect: forksafe-unsynchronized-state

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
  std::thread([] {}).detach();
  return serve_forever(Serve);
}
