// Pre-fork inspection for --verify --preload: what the app's init code left in the master that
// every worker will inherit (threads other than the main one, descriptors), named where possible.
#ifndef FORKSAFE_SERVE_VERIFY_PREFORK_HPP
#define FORKSAFE_SERVE_VERIFY_PREFORK_HPP

#include <set>
#include <string>
#include <vector>

namespace forksafe::serve::verify {

struct Hazard {
  std::string kind;  ///< "thread" or "descriptor"
  int id = 0;        ///< thread id or descriptor number
  std::string what;  ///< "thread 'worker-pool'", "TCP socket 127.0.0.1:40312 -> 127.0.0.1:5432"
};

/// The process's threads and open descriptors at one moment.
struct ProcessState {
  std::set<int> threads;
  std::set<int> descriptors;
};

ProcessState capture_process_state();

/// What exists in `after` but not in `before`, described: the app's pre-fork leftovers.
std::vector<Hazard> new_hazards(const ProcessState& before, const ProcessState& after);

/// "TCP socket 127.0.0.1:1 -> 127.0.0.1:9", "file /var/lib/app.db", "pipe", ...
std::string describe_descriptor(int fd);

}  // namespace forksafe::serve::verify

#endif  // FORKSAFE_SERVE_VERIFY_PREFORK_HPP
