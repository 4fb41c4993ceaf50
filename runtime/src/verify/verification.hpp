// --verify, --static-report and --require-clean as the master and the workers see them: the one
// object the server's own files call into (a handful of hook calls; see master.cpp, worker.cpp).
//
// Lifecycle. The master, before binding: validates the options, reads the checker's findings and
// the app's ELF symbols, enforces --require-clean, proves the report path writable and creates a
// private spool directory. With --preload it captures threads and descriptors around the app load
// (pre-fork inspection). Each worker inherits this object, attaches a Probe after its worker-init
// hooks ran, and publishes its records as one JSON file in the spool. The master aggregates the
// spool into the report file about once a second while anything changes, on SIGWINCH, and once
// more after the last worker exited, when it also prints the table.
#ifndef FORKSAFE_SERVE_VERIFY_VERIFICATION_HPP
#define FORKSAFE_SERVE_VERIFY_VERIFICATION_HPP

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "log.hpp"
#include "settings.hpp"
#include "verify/elf_symbols.hpp"
#include "verify/findings.hpp"
#include "verify/prefork.hpp"
#include "verify/probe.hpp"
#include "verify/report.hpp"

namespace forksafe::serve::verify {

class Verification {
 public:
  Verification() = default;
  Verification(const Verification&) = delete;
  Verification& operator=(const Verification&) = delete;
  ~Verification();

  /// Master, before listeners. On false, `error` is one line and `exit_code` the code to exit with.
  bool configure(const Settings& s, ErrorLog& log, std::string* error, int* exit_code);
  bool enabled() const { return enabled_; }

  /// Master, around the --preload app load: pre-fork inspection.
  void before_preload();
  void after_preload(ErrorLog& log);

  /// Master loop: rewrites the report when workers published something new (at most once a second).
  void tick(std::int64_t now_ms, ErrorLog& log);
  /// SIGWINCH: writes the report now and prints the table.
  void write_now(ErrorLog& log);
  /// After the last worker exited: final report, table on stdout, spool removed. Returns false
  /// when --verify-fail-on is not satisfied (the reason is logged as an error).
  bool finish(ErrorLog& log);

  /// Master: where the report reads the forksafe::shared arena's use from (optional).
  void set_shared_stats(std::function<std::optional<forksafe::shared::StoreStats>()> source) {
    shared_stats_ = std::move(source);
  }

  /// Worker, after its worker-init hooks: snapshots the app's data and starts recording.
  bool attach(const std::string& app_path, Probe* probe, std::string* error) const;

 private:
  bool write_report(ErrorLog& log, bool print_table);

  bool enabled_ = false;
  std::string app_path_;
  std::string report_path_;
  std::string spool_dir_;
  std::uint64_t heap_limit_ = 0;
  std::string fail_on_;
  std::string failure_;  // from the last report, for --verify-fail-on
  SymbolTable table_;
  std::optional<std::vector<Finding>> findings_;
  ProcessState before_preload_;
  std::vector<Hazard> hazards_;
  bool preloaded_ = false;
  std::int64_t last_tick_ms_ = 0;
  std::string last_written_;
  std::function<std::optional<forksafe::shared::StoreStats>()> shared_stats_;
};

}  // namespace forksafe::serve::verify

#endif  // FORKSAFE_SERVE_VERIFY_VERIFICATION_HPP
