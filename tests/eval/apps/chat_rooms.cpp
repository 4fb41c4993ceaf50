// chatd: line-protocol chat backend. Routes self-register through static Registrar objects; the
// front proxy speaks "METHOD /path ARG" lines to us over stdin/stdout, one worker per core.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

struct Request {
  std::string route;  // "POST /rooms"
  std::string arg;
  std::string body;
};
struct Response {
  int status;
  std::string body;
};
using HandlerFn = Response (*)(const Request&);

namespace router {
std::map<std::string, HandlerFn>& table() {
  static std::map<std::string, HandlerFn> routes;
  return routes;
}
struct Registrar {
  Registrar(const char* route, HandlerFn fn) { table()[route] = fn; }
};
}  // namespace router

#define ROUTE(name, route)                                   \
  static Response name(const Request& req);                  \
  static router::Registrar reg_##name(route, &name);         \
  static Response name(const Request& req)

template <typename T>
struct Store {
  static std::vector<T> items;
  static std::size_t next_id;

  static T& add(T value) {
    value.id = ++next_id;
    items.push_back(std::move(value));
    return items.back();
  }
  static T* by_id(std::size_t id) {
    for (auto& it : items)
      if (it.id == id) return &it;
    return nullptr;
  }
};
template <typename T>
std::vector<T> Store<T>::items;
template <typename T>
std::size_t Store<T>::next_id = 0;

namespace {

struct Room {
  std::size_t id = 0;
  std::string name;
  std::deque<std::string> backlog;
};
struct Message {
  std::size_t id = 0;
  std::size_t room = 0;
  std::string text;
};

constexpr std::size_t kBacklog = 50;
const std::vector<std::string> kBannedWords = {"spam", "free money"};

std::mutex g_presence_mu;
std::map<std::string, int> g_presence;
std::map<std::string, std::size_t> g_room_by_name;
std::string g_motd = "welcome to chatd";

template <typename Map>
void bump(Map& m, const std::string& key, int delta) {
  m[key] += delta;
}

bool is_banned(const std::string& text) {
  return std::any_of(kBannedWords.begin(), kBannedWords.end(),
                     [&](const std::string& w) { return text.find(w) != std::string::npos; });
}

}  // namespace

ROUTE(create_room, "POST /rooms") {
  if (g_room_by_name.count(req.arg) != 0) return {409, "exists"};
  Room& room = Store<Room>::add(Room{0, req.arg, {}});
  g_room_by_name[req.arg] = room.id;
  return {201, std::to_string(room.id)};
}

ROUTE(post_message, "POST /messages") {
  if (is_banned(req.body)) return {422, "rejected"};
  auto it = g_room_by_name.find(req.arg);
  if (it == g_room_by_name.end()) return {404, "no such room"};
  Room* room = Store<Room>::by_id(it->second);
  Message& msg = Store<Message>::add(Message{0, it->second, req.body});
  room->backlog.push_back(req.body);
  if (room->backlog.size() > kBacklog) room->backlog.pop_front();
  return {201, std::to_string(msg.id)};
}

ROUTE(join, "POST /join") {
  std::lock_guard<std::mutex> lk(g_presence_mu);
  bump(g_presence, req.arg, +1);
  return {204, ""};
}

ROUTE(leave, "POST /leave") {
  std::lock_guard<std::mutex> lk(g_presence_mu);
  bump(g_presence, req.arg, -1);
  return {204, ""};
}

ROUTE(who, "GET /presence") {
  std::lock_guard<std::mutex> lk(g_presence_mu);
  std::string out;
  for (const auto& kv : g_presence)
    if (kv.second > 0) out += kv.first + "\n";
  return {200, out};
}

ROUTE(set_motd, "PUT /motd") {
  g_motd = req.body;
  return {204, ""};
}

ROUTE(get_motd, "GET /motd") { return {200, g_motd}; }

ROUTE(list_routes, "GET /routes") {
  std::string out;
  for (const auto& kv : router::table()) out += kv.first + "\n";
  return {200, out};
}

static Request parse_line(const char* line) {
  Request req;
  char method[16] = {0}, path[128] = {0}, arg[256] = {0};
  std::sscanf(line, "%15s %127s %255s", method, path, arg);
  req.route = std::string(method) + " " + path;
  req.arg = arg;
  const char* body = std::strchr(line, '|');
  if (body != nullptr) req.body = body + 1;
  return req;
}

int main() {
  char line[4096];
  while (std::fgets(line, sizeof line, stdin) != nullptr) {
    Request req = parse_line(line);
    auto it = router::table().find(req.route);
    Response res = it == router::table().end() ? Response{404, "no route"} : it->second(req);
    std::printf("%d %s\n", res.status, res.body.c_str());
    std::fflush(stdout);
  }
  return 0;
}
