// Example app (per-worker cache done right): annotated FORKSAFE_PER_WORKER (each worker warming its
// own copy is intended) and guarded by a mutex, so -k threads does not race on it.
#include <forksafe/app.hpp>
#include <mutex>
#include <string>
#include <unordered_map>

namespace {
FORKSAFE_PER_WORKER std::unordered_map<std::string, std::string> rendered;
std::mutex rendered_mutex;

std::string render(std::string_view name) {  // stands in for something slow
  std::string page = "<h1>";
  page.append(name);
  return page + "</h1>\n";
}
}  // namespace

FORKSAFE_APP(app) {
  app.get("/pages/:name", [](const forksafe::Request& req) {
    std::string name(req.param("name"));
    std::lock_guard<std::mutex> lock(rendered_mutex);
    auto it = rendered.find(name);
    if (it == rendered.end()) it = rendered.emplace(name, render(name)).first;
    return forksafe::Response::text(it->second);
  });
}
