// App used by the --verify heap benchmark (tests/bench/verify_heap_bench.sh): about 10 MB of heap
// reachable from one global (a catalogue of 40,000 entries), read by GET / and changed in place,
// one entry per request, by POST /touch.
#include <forksafe/app.hpp>
#include <string>
#include <unordered_map>

namespace {
std::unordered_map<int, std::string> catalogue;
unsigned next_touch = 0;
}  // namespace

FORKSAFE_APP(app) {
  catalogue.reserve(40000);
  for (int i = 0; i < 40000; ++i)
    catalogue.emplace(i, std::string(200, static_cast<char>('a' + i % 26)));
  app.get("/", [](const forksafe::Request&) {
    return forksafe::Response::text(catalogue.at(1234).substr(0, 16) + "\n");
  });
  app.post("/touch", [](const forksafe::Request&) {
    std::string& entry = catalogue.at(static_cast<int>(next_touch++ % 40000));
    entry[0] = entry[0] == 'z' ? 'a' : static_cast<char>(entry[0] + 1);
    return forksafe::Response::text(entry.substr(0, 16) + "\n");
  });
}
