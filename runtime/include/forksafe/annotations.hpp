// Annotations that tell forksafe-check (and readers) where code runs in a pre-fork server.
//
// The strings inside the annotations are a stable interface: forksafe-check, forksafe-serve and
// third-party tools match them exactly. Other compilers ignore unknown attributes, so the macros
// are safe to leave in portable code.
#ifndef FORKSAFE_ANNOTATIONS_HPP
#define FORKSAFE_ANNOTATIONS_HPP

#if defined(__clang__)
#define FORKSAFE_DETAIL_ANNOTATE(what) [[clang::annotate(what)]]
#else
#define FORKSAFE_DETAIL_ANNOTATE(what)
#endif

#if defined(__GNUC__)
#define FORKSAFE_DETAIL_PER_WORKER_SECTION __attribute__((section("forksafe_per_worker")))
#else
#define FORKSAFE_DETAIL_PER_WORKER_SECTION
#endif

/// Runs once per request inside a worker process (after fork).
#define FORKSAFE_HANDLER FORKSAFE_DETAIL_ANNOTATE("forksafe::handler")

/// Runs once in the master before workers are forked; what it creates is inherited by every worker.
#define FORKSAFE_INIT FORKSAFE_DETAIL_ANNOTATE("forksafe::init")

/// Runs in each worker after fork and before that worker's first request.
#define FORKSAFE_WORKER_INIT FORKSAFE_DETAIL_ANNOTATE("forksafe::worker_init")

/// On a variable: each worker keeping its own copy is intended (a per-worker cache, a per-worker
/// RNG). Waives cross-worker divergence only; concurrent writes under threaded workers still race.
/// The variable is also placed in the `forksafe_per_worker` section, so `forksafe-serve --verify`
/// (which sees the binary, not the source) reports its changes as intended rather than as a bug.
/// Use it on namespace-scope and function-local static variables (not on thread_local or const).
#define FORKSAFE_PER_WORKER \
  FORKSAFE_DETAIL_ANNOTATE("forksafe::per_worker") FORKSAFE_DETAIL_PER_WORKER_SECTION

/// On a class: its objects are state every worker process shares by construction (each operation
/// is atomic or takes a process-shared lock), so a static object of it is neither per-worker state
/// nor a data race. forksafe::shared::Counter and forksafe::shared::Map carry it.
#define FORKSAFE_SHARED_TYPE FORKSAFE_DETAIL_ANNOTATE("forksafe::shared_type")

#endif  // FORKSAFE_ANNOTATIONS_HPP
