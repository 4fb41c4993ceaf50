// Responder: response bytes, error and access log lines, metrics and max-requests per request.
#include "responder.hpp"

namespace forksafe::serve {

bool Responder::finish(const Request& req, const PeerAddress& peer, const Response& resp,
                       const DispatchInfo& info, bool keep_alive, std::int64_t start_us,
                       std::string* out) {
  if (env_.probe) env_.probe->after_request(req.method, req.path, info.route);
  if (!info.error.empty())
    env_.log->error("Error handling request {} {} (route {}): {}", req.method, req.target,
                    info.route.empty() ? "-" : info.route, info.error);
  ++control_.handled;
  if (control_.max_requests && control_.handled >= control_.max_requests && !control_.draining) {
    env_.log->info("Autorestarting worker after current request ({} requests served)",
                   control_.handled);
    control_.begin_drain(monotonic_ms(), env_.settings->graceful_timeout);
  }
  if (control_.draining || control_.quit) keep_alive = false;
  ResponseFraming framing{req.method == "HEAD", keep_alive, req.http_minor};
  serialize_response(resp, framing, date_.now(), out);
  std::int64_t elapsed = monotonic_us() - start_us;
  env_.slot->record(resp.status, static_cast<std::uint64_t>(elapsed));
  if (env_.access->enabled()) {
    AccessRecord rec;
    rec.peer_host = peer.host_text();
    rec.method = req.method;
    rec.target = req.target;
    rec.path = req.path;
    rec.query = req.query;
    rec.http_major = req.http_major;
    rec.http_minor = req.http_minor;
    rec.status = resp.status;
    rec.body_bytes = resp.body.size();
    rec.duration = std::chrono::microseconds(elapsed);
    rec.route = info.route;
    rec.request_headers = &req.headers;
    rec.response_headers = &resp.headers;
    env_.access->record(rec, *env_.log);
  }
  return keep_alive;
}

void Responder::finish_error(int status, const std::string& reason, const PeerAddress& peer,
                             std::string* out) {
  env_.log->debug("Rejected request from {}: {} ({})", peer.to_string(), status, reason);
  env_.slot->record(status, 0);
  serialize_response(error_response(status), ResponseFraming{false, false, 1}, date_.now(), out);
}

}  // namespace forksafe::serve
