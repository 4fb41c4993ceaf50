// Example app (broken stock): units left per item in a global std::unordered_map whose values are
// changed in place. The map's own bytes (size, buckets) never change after init, only its heap
// nodes do: each worker sells the whole stock on its own, and -k threads races on it.
#include <forksafe/app.hpp>
#include <string>
#include <unordered_map>

namespace {
std::unordered_map<std::string, long> stock;  // item -> units left; deliberately unannotated
}  // namespace

FORKSAFE_APP(app) {
  stock = {{"apple", 3}, {"pear", 3}};
  app.post("/buy/:item", [](const forksafe::Request& req) {
    auto it = stock.find(std::string(req.param("item")));
    if (it == stock.end()) return forksafe::Response::text("no such item\n", 404);
    if (it->second <= 0) return forksafe::Response::text("sold out\n", 409);
    return forksafe::Response::text(std::to_string(--it->second) + " left\n");
  });
}
