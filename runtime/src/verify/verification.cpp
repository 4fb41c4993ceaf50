// Option handling, spool and report lifecycle for --verify / --static-report / --require-clean.
#include "verify/verification.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "exit_codes.hpp"
#include "verify/report.hpp"

namespace forksafe::serve::verify {

namespace {

std::string dir_of(const std::string& path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

void remove_dir(const std::string& dir) {
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") ::unlink((dir + "/" + name).c_str());
    }
    ::closedir(d);
  }
  ::rmdir(dir.c_str());
}

}  // namespace

Verification::~Verification() {
  // Only the master that created the spool removes it; workers leave through _exit.
  if (!spool_dir_.empty() && enabled_) remove_dir(spool_dir_);
}

bool Verification::configure(const Settings& s, ErrorLog& log, std::string* error, int* exit_code) {
  *exit_code = kExitUsage;
  if (!s.static_report.empty() && s.verify_report.empty()) {
    *error = "cannot use --static-report without --verify";
    return false;
  }
  if (!s.verify_fail_on.empty() && s.verify_report.empty()) {
    *error = "cannot use --verify-fail-on without --verify";
    return false;
  }
  if (s.verify_fail_on == "dynamic-only" && s.static_report.empty() && s.require_clean.empty()) {
    *error =
        "cannot use --verify-fail-on=dynamic-only without --static-report: it needs the checker's "
        "findings";
    return false;
  }
  std::vector<Finding> clean_findings;
  if (!s.require_clean.empty()) {
    if (!read_findings(s.require_clean, &clean_findings, error)) return false;
    std::vector<Finding> errors = per_worker_errors(clean_findings);
    if (!errors.empty() && s.workers > 1) {
      *error = fmt::format(
          "refusing to start {} workers: app '{}' has per-worker-state errors: {}; fix them, or "
          "run with -w 1",
          s.workers, s.app_path, name_findings(errors));
      *exit_code = kExitNotClean;
      return false;
    }
    findings_ = clean_findings;
  }
  if (!s.static_report.empty()) {
    std::vector<Finding> findings;
    if (!read_findings(s.static_report, &findings, error)) return false;
    std::vector<Finding> errors = per_worker_errors(findings);
    if (!errors.empty() && s.workers > 1 && s.require_clean.empty())
      log.warning("app '{}' has per-worker-state errors ({}); with {} workers their values diverge",
                  s.app_path, name_findings(errors), s.workers);
    findings_ = std::move(findings);
  }
  if (s.verify_report.empty()) return true;
  app_path_ = s.app_path;
  report_path_ = s.verify_report;
  heap_limit_ = s.verify_heap_limit_bytes;
  fail_on_ = s.verify_fail_on;
  if (!read_object_symbols(s.app_path, &table_, error)) return false;
  if (!table_.from_symtab)
    log.warning("app '{}' has no .symtab; --verify sees only exported data objects", s.app_path);
  // Prove the report path writable now, not at shutdown when the data would be lost.
  if (!write_file_atomically(report_path_, "{\"version\":1,\"status\":\"running\"}\n",
                             "verification report", error))
    return false;
  const char* tmpdir = std::getenv("TMPDIR");
  std::string pattern =
      fmt::format("{}/forksafe-verify-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
  if (!::mkdtemp(pattern.data())) {
    *error = fmt::format("cannot create verification spool in '{}': {}", dir_of(pattern),
                         std::strerror(errno));
    return false;
  }
  spool_dir_ = pattern;
  if (!s.user.empty()) {
    // Workers switch to --user before they publish; let them write into the spool.
    if (passwd* p = ::getpwnam(s.user.c_str())) {
      if (::chown(spool_dir_.c_str(), p->pw_uid, p->pw_gid) < 0)
        log.warning("cannot hand verification spool to user '{}': {}", s.user,
                    std::strerror(errno));
    }
  }
  enabled_ = true;
  log.info("Verifying app {}: {} data objects indexed, report {}", s.app_path,
           table_.symbols.size(), report_path_);
  return true;
}

void Verification::before_preload() {
  if (enabled_) before_preload_ = capture_process_state();
}

void Verification::after_preload(ErrorLog& log) {
  if (!enabled_) return;
  preloaded_ = true;
  hazards_ = new_hazards(before_preload_, capture_process_state());
  for (const Hazard& h : hazards_)
    log.warning(
        "Pre-fork hazard: the app's init code left a {} in the master: {}; every worker "
        "inherits it",
        h.kind, h.what);
}

bool Verification::attach(const std::string& app_path, Probe* probe, std::string* error) const {
  std::string file = fmt::format("{}/worker-{}.json", spool_dir_, ::getpid());
  return probe->start(app_path, &table_, file, heap_limit_, error);
}

bool Verification::write_report(ErrorLog& log, bool print_table) {
  Report report;
  report.app = app_path_;
  report.prefork = hazards_;
  report.preloaded = preloaded_;
  report.findings = findings_;
  aggregate_spool(spool_dir_, table_, &report);
  cross_check(&report);
  if (shared_stats_) report.shared = shared_stats_();
  failure_ = fail_on_.empty() ? std::string() : failure(report, fail_on_);
  std::string json = render_json(report);
  if (print_table) {
    std::string table = render_table(report);
    std::fwrite(table.data(), 1, table.size(), stdout);
    std::fflush(stdout);
  }
  if (json == last_written_) return true;
  std::string error;
  if (!write_file_atomically(report_path_, json, "verification report", &error)) {
    log.error("{}", error);
    return false;
  }
  last_written_ = std::move(json);
  return true;
}

void Verification::tick(std::int64_t now_ms, ErrorLog& log) {
  if (!enabled_ || now_ms - last_tick_ms_ < 1000) return;
  last_tick_ms_ = now_ms;
  write_report(log, false);
}

void Verification::write_now(ErrorLog& log) {
  if (enabled_) write_report(log, true);
}

bool Verification::finish(ErrorLog& log) {
  if (!enabled_) return true;
  if (write_report(log, true)) log.info("Verification report written to {}", report_path_);
  remove_dir(spool_dir_);
  spool_dir_.clear();
  if (failure_.empty()) return true;
  log.error("{}", failure_);
  return false;
}

}  // namespace forksafe::serve::verify
