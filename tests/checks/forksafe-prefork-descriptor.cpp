// Fixture for forksafe-prefork-descriptor: descriptors opened before fork and used per request.
// RUN-ARGS: --checks=-*,forksafe-prefork-descriptor
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "forksafe/annotations.hpp"

struct sqlite3;
extern "C" int sqlite3_open(const char*, sqlite3**);
extern "C" int sqlite3_exec(sqlite3*, const char*, void*, void*, char**);
struct PGconn;
extern "C" PGconn* PQconnectdb(const char*);
extern "C" void* PQexec(PGconn*, const char*);

int g_metricsSocket = socket(AF_INET, SOCK_DGRAM, 0);  // expect: forksafe-prefork-descriptor
FILE* g_auditLog = fopen("/tmp/audit.log", "a");        // expect: forksafe-prefork-descriptor
sqlite3* g_db = nullptr;                                // expect: forksafe-prefork-descriptor
PGconn* g_pg = nullptr;                                 // expect: forksafe-prefork-descriptor
int g_cacheFd = -1;                                     // expect: forksafe-prefork-descriptor
std::ofstream g_trace("/tmp/trace.log");                // expect: forksafe-prefork-descriptor

class Connection {
 public:
  explicit Connection(const char* host) { fd_ = socket(AF_INET, SOCK_STREAM, 0); (void)host; }
  int send(const std::string& s) { return static_cast<int>(write(fd_, s.data(), s.size())); }
 private:
  int fd_;
};
Connection g_upstream("backend");                       // expect: forksafe-prefork-descriptor

int OpenCache() {
  int fd = open("/tmp/cache", O_RDWR);
  return fd;
}

// Negatives.
int g_unusedAfterInit = -1;          // opened before fork, never used per request
int g_workerSocket = -1;             // opened after fork
FILE* g_config = fopen("/tmp/app.conf", "r");  // opened before fork, used only by init
int g_port = 8080;

FORKSAFE_INIT void Init() {
  sqlite3_open("/tmp/app.db", &g_db);
  g_pg = PQconnectdb("dbname=app");
  g_cacheFd = OpenCache();
  g_unusedAfterInit = socket(AF_INET, SOCK_STREAM, 0);
  char line[64];
  fgets(line, sizeof line, g_config);
}

FORKSAFE_WORKER_INIT void WorkerInit() { g_workerSocket = socket(AF_INET, SOCK_STREAM, 0); }

FORKSAFE_HANDLER void Handle() {
  send(g_metricsSocket, "hit", 3, 0);
  fputs("request\n", g_auditLog);
  sqlite3_exec(g_db, "insert", nullptr, nullptr, nullptr);
  PQexec(g_pg, "select 1");
  char buf[8];
  (void)read(g_cacheFd, buf, sizeof buf);
  g_trace << "handled\n";
  g_upstream.send("ping");
  send(g_workerSocket, "x", 1, g_port);
}
