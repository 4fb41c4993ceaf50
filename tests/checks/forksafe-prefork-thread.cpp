// Fixture for forksafe-prefork-thread: threads started before fork do not exist in workers.
// RUN-ARGS: --checks=-*,forksafe-prefork-thread
#include <pthread.h>

#include <thread>

#include "forksafe/annotations.hpp"

void Flush() {}
void* Loop(void*) { return nullptr; }

std::thread g_flusher(Flush);            // expect: forksafe-prefork-thread
pthread_t g_poller;                      // expect: forksafe-prefork-thread
std::thread g_lazyThread;                // expect: forksafe-prefork-thread
std::thread g_workerThread;
std::thread g_notStarted;

void StartPoller() { pthread_create(&g_poller, nullptr, Loop, nullptr); }

FORKSAFE_INIT void Init() {
  StartPoller();
  std::thread(Flush).detach();           // expect: forksafe-prefork-thread
  g_lazyThread = std::thread([] {});
}

FORKSAFE_WORKER_INIT void WorkerInit() {
  g_workerThread = std::thread(Flush);   // after fork: fine
}

FORKSAFE_HANDLER void Handle() {
  std::thread t(Flush);                  // per request, after fork: not this rule's business
  t.join();
}
