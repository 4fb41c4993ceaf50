// Example app (fixed stock): the items and their initial stock are constants; units sold are
// counted in one locked file per item, shared by every worker.
#include <forksafe/app.hpp>
#include <string>
#include <string_view>

#include "../common/state_file.hpp"

namespace {
struct Item {
  std::string_view name;
  long initial;
};
constexpr Item kItems[] = {{"apple", 3}, {"pear", 3}};
}  // namespace

FORKSAFE_APP(app) {
  app.post("/buy/:item", [](const forksafe::Request& req) {
    for (const Item& item : kItems) {
      if (item.name != req.param("item")) continue;
      std::int64_t sold = examples::add_to_counter("stock-" + std::string(item.name), 1);
      if (sold < 0 || sold > item.initial) return forksafe::Response::text("sold out\n", 409);
      return forksafe::Response::text(std::to_string(item.initial - sold) + " left\n");
    }
    return forksafe::Response::text("no such item\n", 404);
  });
}
