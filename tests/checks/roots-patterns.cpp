// Fixture: --handlers selects request handlers by qualified name; nothing else is request time.
// RUN-ARGS: --handlers=^api:: --handlers=Controller::handle
#include <string>
#include <vector>

int g_listCalls = 0;                     // expect: forksafe-per-worker-state forksafe-unsynchronized-state
std::vector<std::string> g_audit;        // expect: forksafe-per-worker-state forksafe-unsynchronized-state
int g_controllerHits = 0;                // expect: forksafe-per-worker-state forksafe-unsynchronized-state
int g_notAHandler = 0;
int g_uncalled = 0;

void Audit(const std::string& what) { g_audit.push_back(what); }

namespace api {
std::string list() {
  ++g_listCalls;
  Audit("list");
  return "[]";
}
}  // namespace api

struct Controller {
  void handle() { g_controllerHits++; }
  void setup() { g_notAHandler++; }
};

void Uncalled() { g_uncalled++; }  // with patterns configured, only matches are roots

int main() {
  Controller c;
  c.setup();
  return 0;
}
