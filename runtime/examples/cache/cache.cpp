// Example app (broken cache): a memo cache that is per-worker by accident and races under -k
// threads.
#include <forksafe/app.hpp>
#include <string>
#include <unordered_map>

namespace {
std::unordered_map<std::string, std::string> rendered;  // page name -> rendered page

std::string render(std::string_view name) {  // stands in for something slow
  std::string page = "<h1>";
  page.append(name);
  return page + "</h1>\n";
}
}  // namespace

FORKSAFE_APP(app) {
  app.get("/pages/:name", [](const forksafe::Request& req) {
    std::string name(req.param("name"));
    auto it = rendered.find(name);
    if (it == rendered.end()) it = rendered.emplace(name, render(name)).first;
    return forksafe::Response::text(it->second);
  });
}
