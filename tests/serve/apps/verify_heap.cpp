// App used by the --verify heap tests: state kept behind pointers (raw, unique_ptr, shared_ptr, a
// leaked singleton, map values changed in place, a pointer to another global), and handlers that
// must not be reported (a handle whose methods only read, heap churn that leaves nothing behind,
// a large block for the scan limit, replaced by a new one: the old one is unmapped).
#include <forksafe/app.hpp>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

struct Tally {
  long hits = 0;
  char name[24] = "tally";
};

Tally* raw_tally = nullptr;
std::unique_ptr<Tally> unique_tally;
std::shared_ptr<Tally> shared_tally;

struct Registry {
  long hits = 0;
  std::vector<std::string> names{"a", "b"};
};
Registry& registry() {
  static Registry* r = new Registry;  // leaked on purpose: a singleton that lives forever
  return *r;
}

std::unordered_map<std::string, long> prices;

long target = 0;
long* target_ptr = nullptr;  // set at init: a constant initializer would be folded away

// A handle whose methods read through it and never write.
struct Config {
  std::string greeting = "hello from the config";
  std::vector<int> limits{1, 2, 3};
};
class Handle {
 public:
  explicit Handle(Config* impl) : impl_(impl) {}
  std::string greeting() const { return impl_->greeting + " " + std::to_string(impl_->limits[1]); }

 private:
  Config* impl_;
};
Handle handle(nullptr);

std::vector<char>* big = nullptr;

forksafe::Response number(long n) { return forksafe::Response::text(std::to_string(n) + "\n"); }

}  // namespace

FORKSAFE_APP(app) {
  raw_tally = new Tally;
  target_ptr = &target;
  unique_tally = std::make_unique<Tally>();
  shared_tally = std::make_shared<Tally>();
  registry();
  prices = {{"apple", 3}, {"pear", 5}, {"plum", 7}};
  handle = Handle(new Config);
  big = new std::vector<char>(2 << 20, 'x');
  app.get("/raw", [](const forksafe::Request&) { return number(++raw_tally->hits); });
  app.get("/unique", [](const forksafe::Request&) { return number(++unique_tally->hits); });
  app.get("/shared", [](const forksafe::Request&) { return number(++shared_tally->hits); });
  app.get("/singleton", [](const forksafe::Request&) { return number(++registry().hits); });
  app.get("/map", [](const forksafe::Request&) { return number(++prices.at("apple")); });
  app.get("/insert", [](const forksafe::Request& req) {
    return number(prices[req.query_param("k").value_or("none")] = 1);
  });
  app.get("/ptr", [](const forksafe::Request&) { return number(++*target_ptr); });
  app.get("/handle",
          [](const forksafe::Request&) { return forksafe::Response::text(handle.greeting()); });
  app.get("/churn", [](const forksafe::Request&) {
    std::vector<std::string> words;
    std::unordered_map<int, std::string> scratch;
    for (int i = 0; i < 200; ++i) {
      words.push_back(std::string(40 + i % 50, 'a' + i % 26));
      scratch[i] = words.back();
      if (i % 3 == 0) scratch.erase(i / 2);
    }
    auto tmp = std::make_unique<std::vector<long>>(5000, 1L);
    return number(static_cast<long>(words.size() + scratch.size() + tmp->size()));
  });
  app.get("/big", [](const forksafe::Request&) { return number(++(*big)[100]); });
  app.get("/regrow", [](const forksafe::Request&) {  // frees (unmaps) the tracked 2 MB buffer
    *big = std::vector<char>(big->size() + 4096, 'y');
    return number(static_cast<long>(big->size()));
  });
}
