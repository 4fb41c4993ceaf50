// Example app (the other fix of the broken cache): one cache for every worker, a
// forksafe::shared::Map with LRU eviction, so a page rendered by one worker is served by all.
// (cache_fixed.cpp keeps a per-worker copy on purpose instead.)
#include <forksafe/app.hpp>
#include <forksafe/shared.hpp>
#include <string>

namespace {
forksafe::shared::Map rendered("rendered-pages", [] {
  forksafe::shared::MapOptions o;
  o.max_entries = 512;  // the least recently used page is dropped when full
  o.evict_lru = true;
  o.max_value_bytes = 16384;
  return o;
}());

std::string render(std::string_view name) {  // stands in for something slow
  std::string page = "<h1>";
  page.append(name);
  return page + "</h1>\n";
}
}  // namespace

FORKSAFE_APP(app) {
  app.get("/pages/:name", [](const forksafe::Request& req) {
    std::string_view name = req.param("name");
    if (auto page = rendered.get(name)) return forksafe::Response::text(*page);
    std::string page = render(name);
    rendered.put(name, page);
    return forksafe::Response::text(page);
  });
}
