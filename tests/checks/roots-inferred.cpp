// Fixture: no handler annotations, no --handlers and no framework of the table (minihttp is
// shaped like cpp-httplib but unknown). main() is init; callables handed to the server (or a
// thread) and functions nobody calls are possible request paths; what main() calls itself is
// init time.
#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace minihttp {
struct Request {
  std::string path;
};
struct Response {
  std::string body;
};
class Server {
 public:
  using Handler = std::function<void(const Request&, Response&)>;
  Server& Get(const std::string& pattern, Handler handler) {
    routes_[pattern] = std::move(handler);
    return *this;
  }
  bool listen(const char*, int) { return true; }

 private:
  std::map<std::string, Handler> routes_;
};
}  // namespace minihttp

struct Config {
  int port = 0;
  std::string name;
};
Config g_config;
int g_setupSteps = 0;
int g_comparisons = 0;
std::vector<int> g_ports{3, 1, 2};
int g_hits = 0;                          // expect: forksafe-per-worker-state forksafe-unsynchronized-state
std::vector<std::string> g_paths;        // expect: forksafe-per-worker-state forksafe-unsynchronized-state
int g_statusCalls = 0;                   // expect: forksafe-per-worker-state forksafe-unsynchronized-state
std::map<std::string, std::string> g_sessions;  // expect: forksafe-per-worker-state forksafe-unsynchronized-state
int g_cleanups = 0;                      // expect: forksafe-per-worker-state forksafe-unsynchronized-state
int g_resets = 0;                        // expect: forksafe-per-worker-state forksafe-unsynchronized-state

void LoadConfig() {
  g_config.port = 8080;
  g_config.name = "demo";
  ++g_setupSteps;
}

void Track(const std::string& path) { g_paths.push_back(path); }  // expect-note: forksafe-per-worker-state

void HandleStatus(const minihttp::Request&, minihttp::Response& res) {
  ++g_statusCalls;
  res.body = std::to_string(g_config.port);
}

// Nobody in this program calls it: another component might, per request.
void ResetCounters() { g_resets = 0; }

int main() {
  LoadConfig();
  std::sort(g_ports.begin(), g_ports.end(), [](int a, int b) {
    ++g_comparisons;
    return a < b;
  });
  minihttp::Server server;
  server.Get("/hit", [](const minihttp::Request& req, minihttp::Response&) {
    g_hits++;
    Track(req.path);
  });
  server.Get("/status", HandleStatus);
  auto login = [](const minihttp::Request& req, minihttp::Response&) { g_sessions[req.path] = "user"; };
  server.Get("/login", login);
  std::thread cleaner([] { g_cleanups++; });  // replicas: main() never forks, see deployment-*.cpp
  cleaner.detach();
  return server.listen("127.0.0.1", g_config.port) ? 0 : 1;
}
