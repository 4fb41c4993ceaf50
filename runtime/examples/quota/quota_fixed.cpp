// Example app (fixed quota): the unique_ptr global stays, but what it owns is a handle that only
// reads itself; the count lives in a locked file every worker shares.
#include <forksafe/app.hpp>
#include <memory>
#include <string>

#include "../common/state_file.hpp"

namespace {
class QuotaFile {
 public:
  QuotaFile(std::string name, long limit) : name_(std::move(name)), limit_(limit) {}
  /// Downloads left after taking one, or -1 when the quota is exhausted (or unreadable).
  long take() const {
    std::int64_t used = examples::add_to_counter(name_, 1);
    return used < 0 || used > limit_ ? -1 : limit_ - used;
  }

 private:
  std::string name_;
  long limit_;
};
std::unique_ptr<const QuotaFile> quota;  // set once at init, never written by a request
}  // namespace

FORKSAFE_APP(app) {
  quota = std::make_unique<const QuotaFile>("downloads", 5);
  app.post("/download", [](const forksafe::Request&) {
    long left = quota->take();
    if (left < 0) return forksafe::Response::text("quota exhausted\n", 429);
    return forksafe::Response::text(std::to_string(left) + " left\n");
  });
}
