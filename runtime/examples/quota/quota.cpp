// Example app (broken quota): a download quota kept behind a std::unique_ptr global. The global
// itself never changes after init, only the object it owns does: every worker hands out the
// whole quota on its own, and -k threads races on it.
#include <forksafe/app.hpp>
#include <memory>
#include <string>

namespace {
struct Quota {
  long left = 5;  // downloads the whole site may serve
};
std::unique_ptr<Quota> quota;  // deliberately unannotated: the example's whole point
}  // namespace

FORKSAFE_APP(app) {
  quota = std::make_unique<Quota>();
  app.post("/download", [](const forksafe::Request&) {
    if (quota->left <= 0) return forksafe::Response::text("quota exhausted\n", 429);
    return forksafe::Response::text(std::to_string(--quota->left) + " left\n");
  });
}
