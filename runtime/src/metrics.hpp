// Prometheus text exposition built from the scoreboard and the master's own counters.
#ifndef FORKSAFE_SERVE_METRICS_HPP
#define FORKSAFE_SERVE_METRICS_HPP

#include <cstdint>
#include <string>

#include "scoreboard.hpp"

namespace forksafe::serve {

struct MasterCounters {
  std::uint64_t workers_alive = 0;
  std::uint64_t worker_restarts = 0;
  std::uint64_t worker_timeouts = 0;
};

std::string render_metrics(Scoreboard& board, const MasterCounters& counters);

/// Answers one metrics request on an accepted socket (bounded: 1 s to read, 1 s to write).
void serve_metrics_connection(int fd, const std::string& body);

}  // namespace forksafe::serve

#endif  // FORKSAFE_SERVE_METRICS_HPP
