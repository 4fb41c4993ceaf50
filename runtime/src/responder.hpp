// Responder: turns a handled request into wire bytes plus its bookkeeping (logs, metrics,
// max-requests); shared by every worker type.
#ifndef FORKSAFE_SERVE_RESPONDER_HPP
#define FORKSAFE_SERVE_RESPONDER_HPP

#include <cstdint>
#include <string>

#include "clock.hpp"
#include "http1.hpp"
#include "peer_address.hpp"
#include "worker.hpp"

namespace forksafe::serve {

/// Turns a handled request into wire bytes and bookkeeping: error log for handler exceptions,
/// access log line, scoreboard metrics, max-requests accounting. Used by every worker type, always
/// on the worker's main thread.
class Responder {
 public:
  Responder(WorkerEnv& env, WorkerControl& control) : env_(env), control_(control) {}

  /// Appends the response for `req`, received from `peer`, to `out`; returns the keep-alive
  /// decision actually used.
  bool finish(const Request& req, const PeerAddress& peer, const Response& resp,
              const DispatchInfo& info, bool keep_alive, std::int64_t start_us, std::string* out);
  /// Appends a protocol-error response (400/408/413/431/417) that always closes the connection.
  void finish_error(int status, const std::string& reason, const PeerAddress& peer,
                    std::string* out);

 private:
  WorkerEnv& env_;
  WorkerControl& control_;
  WallClockText date_{kHttpDatePattern, TimeZone::kUtc};  // the Date header
};

}  // namespace forksafe::serve

#endif  // FORKSAFE_SERVE_RESPONDER_HPP
