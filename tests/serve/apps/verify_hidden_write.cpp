// App used by the --verify tests: one global written plainly (the checker flags it) and one written
// through an address kept as an integer and a memcpy (the checker cannot see it: "dynamic only").
// A table of pointers would not hide it: the checker follows pointers aimed at globals.
#include <cstdint>
#include <cstring>
#include <forksafe/app.hpp>
#include <string>

namespace {

long flagged_hits = 0;
long hidden_hits = 0;

// The handler reaches hidden_hits only through this table of addresses, filled once at init.
std::uintptr_t slots[1] = {0};

void store(long* where, long value) { std::memcpy(where, &value, sizeof value); }
using Store = void (*)(long*, long);
const Store kStores[1] = {store};

}  // namespace

FORKSAFE_APP(app) {
  slots[0] = reinterpret_cast<std::uintptr_t>(&hidden_hits);
  app.get("/flagged", [](const forksafe::Request&) {
    return forksafe::Response::text(std::to_string(++flagged_hits) + "\n");
  });
  app.get("/hidden", [](const forksafe::Request&) {
    long* where = reinterpret_cast<long*>(slots[0]);
    kStores[0](where, *where + 1);
    return forksafe::Response::text(std::to_string(*where) + "\n");
  });
}
