// App used by the --verify tests: one global written plainly (the checker flags it) and one written
// through a pointer kept in a table and a memcpy (the checker cannot see it: "dynamic only").
#include <cstring>
#include <forksafe/app.hpp>
#include <string>

namespace {

long flagged_hits = 0;
long hidden_hits = 0;

// The handler reaches hidden_hits only through this table of addresses, filled once at init.
long* slots[1] = {nullptr};

void store(long* where, long value) { std::memcpy(where, &value, sizeof value); }
using Store = void (*)(long*, long);
const Store kStores[1] = {store};

}  // namespace

FORKSAFE_APP(app) {
  slots[0] = &hidden_hits;
  app.get("/flagged", [](const forksafe::Request&) {
    return forksafe::Response::text(std::to_string(++flagged_hits) + "\n");
  });
  app.get("/hidden", [](const forksafe::Request&) {
    long* where = slots[0];
    kStores[0](where, *where + 1);
    return forksafe::Response::text(std::to_string(*where) + "\n");
  });
}
