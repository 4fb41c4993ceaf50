// Fixture for forksafe-prefork-pid: a pid cached before fork is the master's in every worker.
// RUN-ARGS: --checks=-*,forksafe-prefork-pid
#include <sys/types.h>
#include <unistd.h>

#include "forksafe/annotations.hpp"

pid_t g_startPid = getpid();             // expect: forksafe-prefork-pid
const pid_t kBootPid = getpid();         // expect: forksafe-prefork-pid
pid_t g_initPid = 0;                     // expect: forksafe-prefork-pid
struct ProcessInfo {
  static pid_t pid;
};
pid_t ProcessInfo::pid = 0;              // expect: forksafe-prefork-pid

// Negatives.
pid_t g_workerPid = 0;
pid_t g_notAPid = 0;

FORKSAFE_INIT void Init() {
  g_initPid = getpid();
  ProcessInfo::pid = getpid();
  g_notAPid = 1;
}

FORKSAFE_WORKER_INIT void WorkerInit() { g_workerPid = getpid(); }

FORKSAFE_HANDLER pid_t Handle() {
  static pid_t lazyPid = getpid();       // first call is in the worker: fine
  return lazyPid + g_startPid + kBootPid + g_initPid + g_workerPid;
}
