// Process exit codes shared by master and workers, so the master can tell why a worker died.
#ifndef FORKSAFE_SERVE_EXIT_CODES_HPP
#define FORKSAFE_SERVE_EXIT_CODES_HPP

namespace forksafe::serve {

// The numbers follow Gunicorn's (WORKER_BOOT_ERROR = 3, APP_LOAD_ERROR = 4) so that process
// supervisors configured for Gunicorn read them the same way.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;  ///< master: cannot bind, cannot fork, ...
inline constexpr int kExitUsage = 2;         ///< bad option, bad config file, bad value
inline constexpr int kExitWorkerBoot = 3;    ///< a worker could not set itself up
inline constexpr int kExitAppLoad = 4;       ///< the app library could not be loaded or registered
inline constexpr int kExitNotClean = 5;      ///< --require-clean: per-worker-state errors, -w > 1
inline constexpr int kExitVerifyFailed = 6;  ///< --verify-fail-on: the traffic mutated globals

}  // namespace forksafe::serve

#endif  // FORKSAFE_SERVE_EXIT_CODES_HPP
