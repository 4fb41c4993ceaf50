// Projects of the open files and the facts kept between analyses (see Workspace.h).
//
// Each analysis is one forksafe::Analysis run over a project's whole database, exactly what
// `forksafe-check -p` runs, with a FactsSource that hands back the facts kept from the previous
// run when nothing the unit read has changed, and an overlay file system for the parses of the
// others. A unit is stale when an unsaved buffer it read differs from the one it was parsed with
// (or was closed), or when changedOnDisk() named a file it read.
#include "lsp/Workspace.h"

#include <llvm/ADT/StringExtras.h>
#include <llvm/ADT/StringSet.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/VirtualFileSystem.h>
#include <llvm/Support/xxhash.h>

#include <mutex>
#include <set>

#include "driver/Analysis.h"
#include "driver/CompileCommands.h"
#include "facts/Frontend.h"
#include "report/ReportFilter.h"

namespace forksafe::lsp {
namespace {

bool isHeader(llvm::StringRef path) {
  llvm::StringRef ext = llvm::sys::path::extension(path);
  return ext.empty() || ext == ".h" || ext == ".hh" || ext == ".hpp" || ext == ".hxx" ||
         ext == ".inc" || ext == ".ipp" || ext == ".tpp";
}

uint64_t hashText(llvm::StringRef text) {
  return llvm::xxh3_64bits(llvm::arrayRefFromStringRef(text));
}

// Where clangd looks for a file's database: each ancestor directory, then its build/.
std::string findDatabaseDir(const std::string& file) {
  llvm::SmallString<256> dir(llvm::sys::path::parent_path(file));
  while (!dir.empty()) {
    for (const char* sub : {"", "build"}) {
      llvm::SmallString<256> candidate(dir);
      if (*sub) llvm::sys::path::append(candidate, sub);
      llvm::SmallString<256> json(candidate);
      llvm::sys::path::append(json, "compile_commands.json");
      if (llvm::sys::fs::is_regular_file(json)) return std::string(candidate);
    }
    llvm::StringRef parent = llvm::sys::path::parent_path(dir);
    if (parent == dir) break;
    dir = parent;
  }
  return "";
}

}  // namespace

// The facts of one project's units, kept between analyses.
class FactsStore : public FactsSource {
 public:
  // Set before each run.
  // `overlay`: the unsaved buffers whose text differs from the disk.
  void prepare(const std::map<std::string, std::string>& overlay, const ProgressSink* progress,
               size_t total) {
    overlay_ = &overlay;
    overlayHash_.clear();
    for (const auto& [path, text] : overlay) overlayHash_[path] = hashText(text);
    progress_ = progress;
    total_ = total;
    done_ = 0;
  }

  bool reuse(const std::string& file, const std::string& key, TUOutcome& out,
             bool& useCache) override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(file);
    if (it != entries_.end() && it->second.key == key && fresh(it->second)) {
      out = std::move(it->second.outcome);
      entries_.erase(it);
      return true;
    }
    // The cache knows the disk: not what a unit reading an unsaved buffer must see.
    useCache = !overlayHash_.count(file);
    if (it != entries_.end())
      for (const auto& [path, hash] : overlayHash_)
        if (it->second.dependencies.count(path)) useCache = false;
    return false;
  }

  llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> fileSystem() override {
    auto memory = llvm::makeIntrusiveRefCnt<llvm::vfs::InMemoryFileSystem>();
    for (const auto& [path, text] : *overlay_)
      memory->addFile(path, 0, llvm::MemoryBuffer::getMemBufferCopy(text, path));
    auto overlay = llvm::makeIntrusiveRefCnt<llvm::vfs::OverlayFileSystem>(
        llvm::vfs::createPhysicalFileSystem());
    overlay->pushOverlay(memory);
    return overlay;
  }

  void parsed(const std::string& file, TUOutcome& outcome) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (outcome.ok) return;
    // An unsaved buffer in the middle of an edit rarely compiles: the unit's previous facts (kept
    // until keep() replaces them) stand in for it.
    auto it = entries_.find(file);
    if (it == entries_.end()) return;
    failures_.push_back("cannot parse '" + file + "' (" + outcome.error +
                        "): its last analysable version is used");
    outcome = it->second.outcome;
  }

  bool cacheable(const TUOutcome& outcome) override {
    for (const std::string& dep : outcome.dependencies)
      if (overlayHash_.count(dep)) return false;
    return true;
  }

  void keep(const std::string& file, const std::string& key, TUOutcome outcome) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!outcome.ok) return;
    Entry entry;
    entry.key = key;
    for (const std::string& dep : outcome.dependencies) {
      entry.dependencies.insert(dep);
      auto overlaid = overlayHash_.find(dep);
      if (overlaid != overlayHash_.end()) entry.overlaid[dep] = overlaid->second;
    }
    entry.outcome = std::move(outcome);
    entries_[file] = std::move(entry);
  }

  void done(const std::string& file) override {
    std::lock_guard<std::mutex> lock(mutex_);
    ++done_;
    if (progress_ && progress_->report) progress_->report(done_, total_, file);
  }

  void changedOnDisk(const std::string& path) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end();)
      it = it->second.dependencies.count(path) ? entries_.erase(it) : std::next(it);
  }
  bool empty() const { return entries_.empty(); }
  std::vector<std::string> takeFailures() { return std::move(failures_); }

 private:
  struct Entry {
    std::string key;
    TUOutcome outcome;
    llvm::StringSet<> dependencies;
    std::map<std::string, uint64_t> overlaid;  // unsaved buffers it read: their hashes then
  };

  // Whether the unsaved buffers the unit reads are the ones it was parsed with.
  bool fresh(const Entry& e) const {
    for (const auto& [path, hash] : overlayHash_)
      if (e.dependencies.count(path)) {
        auto then = e.overlaid.find(path);
        if (then == e.overlaid.end() || then->second != hash) return false;
      }
    for (const auto& [path, hash] : e.overlaid)
      if (!overlayHash_.count(path)) return false;  // closed: the disk text is back
    return true;
  }

  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  const std::map<std::string, std::string>* overlay_ = nullptr;
  std::map<std::string, uint64_t> overlayHash_;
  const ProgressSink* progress_ = nullptr;
  size_t total_ = 0, done_ = 0;
  std::vector<std::string> failures_;
};

struct Workspace::Impl {
  WorkspaceOptions options;
  // By database directory ("" for the files no database covers).
  std::map<std::string, std::unique_ptr<FactsStore>> projects;
};

Workspace::Workspace(WorkspaceOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}
Workspace::~Workspace() = default;

void Workspace::changedOnDisk(const std::string& path) {
  for (auto& [dir, store] : impl_->projects) store->changedOnDisk(path);
}

WorkspaceResult Workspace::analyze(const std::map<std::string, std::string>& overlay,
                                   const std::vector<std::string>& files,
                                   const ProgressSink& progress) {
  WorkspaceResult result;
  // Only buffers that differ from the disk: the others change nothing and keep the cache usable.
  std::map<std::string, std::string> dirty;
  for (const auto& [path, text] : overlay) {
    auto disk = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
    if (!disk || (*disk)->getBuffer() != text) dirty[path] = text;
  }
  std::map<std::string, std::vector<std::string>> byProject;  // database dir -> open files
  for (const std::string& file : files) {
    result.findings[file];
    std::string dir = impl_->options.compileCommandsDir;
    if (dir.empty()) dir = findDatabaseDir(file);
    byProject[dir].push_back(file);
  }
  for (const auto& [dir, open] : byProject) {
    Options options = impl_->options.check;
    options.quiet = true;
    options.format = "text";
    options.output.clear();
    options.sources.clear();
    options.buildPath = dir;
    std::set<std::string> sources;
    if (!dir.empty()) {
      std::string why;
      auto db = loadCompileCommands(dir + "/compile_commands.json", why);
      if (!db) {
        result.log.push_back("cannot load compilation database '" + dir +
                             "/compile_commands.json': " + why);
        continue;
      }
      for (const std::string& f : db->getAllFiles()) sources.insert(f);
    }
    // An open source file the database does not list borrows a neighbour's command.
    for (const std::string& file : open)
      if (!isHeader(file) && llvm::sys::fs::exists(file)) sources.insert(file);
    if (sources.empty()) continue;  // a header no database covers: nothing includes it
    options.sources.assign(sources.begin(), sources.end());

    std::unique_ptr<FactsStore>& store = impl_->projects[dir];
    if (!store) store = std::make_unique<FactsStore>();
    bool first = store->empty();
    bool report = first && sources.size() > 1 && progress.begin;
    store->prepare(dirty, report ? &progress : nullptr, sources.size());
    if (report)
      progress.begin("forksafe: analysing " + (dir.empty() ? std::string("files") : dir),
                     sources.size());
    std::string messages;
    llvm::raw_string_ostream err(messages);
    Analysis analysis(options, err, impl_->options.argv0.c_str());
    analysis.setFactsSource(store.get());
    std::optional<Report> report_ = analysis.run();
    if (report && progress.end) progress.end();
    err.flush();
    for (const std::string& failure : store->takeFailures()) result.log.push_back(failure);
    if (!report_) {
      llvm::StringRef rest(messages);
      while (!rest.empty()) {
        auto [line, tail] = rest.split('\n');
        if (!line.empty()) result.log.push_back(line.str());
        rest = tail;
      }
      continue;
    }
    for (const RunError& e : report_->errors) result.log.push_back(e.message);
    // A file gets the findings `forksafe-check -p DIR FILE` reports for it: the same filter.
    for (const std::string& file : open) {
      ReportFilter only;
      only.addFile(file);
      for (const Finding& f : report_->findings)
        if (only.inScope(f)) result.findings[file].push_back(f);
    }
  }
  return result;
}

}  // namespace forksafe::lsp
