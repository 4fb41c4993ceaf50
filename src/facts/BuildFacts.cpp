// See BuildFacts.h.
#include "facts/BuildFacts.h"

#include <clang/Driver/Options.h>
#include <llvm/ADT/StringExtras.h>
#include <llvm/Option/ArgList.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Support/xxhash.h>

#include <algorithm>

#include "facts/FactsCache.h"
#include "facts/FactsIO.h"

#if __has_include("AnalysisFingerprint.inc")
#include "AnalysisFingerprint.inc"  // FORKSAFE_ANALYSIS_FINGERPRINT: a hash of src/ (CMake)
#endif
#ifndef FORKSAFE_ANALYSIS_FINGERPRINT
#define FORKSAFE_ANALYSIS_FINGERPRINT "unknown"
#endif

namespace forksafe {
namespace {

namespace opts = clang::driver::options;

std::string hex(uint64_t value) { return llvm::utohexstr(value, /*LowerCase=*/true, 16); }

std::string absoluteIn(llvm::StringRef path, const std::string& directory) {
  llvm::SmallString<256> buf(path);
  if (!llvm::sys::path::is_absolute(buf)) {
    llvm::SmallString<256> base(directory);
    if (!llvm::sys::path::is_absolute(base)) llvm::sys::fs::make_absolute(base);
    llvm::sys::path::append(base, buf);
    buf = base;
  }
  llvm::sys::path::remove_dots(buf, /*remove_dot_dot=*/true);
  return std::string(buf);
}

// The driver's view of a command line (argv[0] excluded).
struct Parsed {
  std::vector<const char*> argv;
  llvm::opt::InputArgList args;
};

std::unique_ptr<Parsed> parse(const std::vector<std::string>& command) {
  auto parsed = std::make_unique<Parsed>();
  for (size_t i = 1; i < command.size(); ++i) parsed->argv.push_back(command[i].c_str());
  unsigned missingIndex = 0, missingCount = 0;
  parsed->args = clang::driver::getDriverOptTable().ParseArgs(
      parsed->argv, missingIndex, missingCount, llvm::opt::Visibility(opts::ClangOption));
  return parsed;
}

bool isSource(llvm::StringRef path) {
  llvm::StringRef ext = llvm::sys::path::extension(path);
  return ext == ".c" || ext == ".cc" || ext == ".cpp" || ext == ".cxx" || ext == ".c++" ||
         ext == ".C" || ext == ".cp" || ext == ".CPP" || ext == ".i" || ext == ".ii";
}

}  // namespace

std::string analysisFingerprint() {
  return std::string(FORKSAFE_ANALYSIS_FINGERPRINT) + "/" + std::to_string(kFactsVersion);
}

std::vector<std::string> normalizedCommand(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    llvm::StringRef a = args[i];
    if (i > 0 && (a == "-o" || a == "-MF" || a == "-MT" || a == "-MQ")) {
      ++i;  // and its value
      continue;
    }
    if (i > 0 && ((a.starts_with("-o") && a != "-o") || a == "-MD" || a == "-MMD" ||
                  a.starts_with("-MF") || a.starts_with("-MT") || a.starts_with("-MQ") ||
                  a.starts_with("-fplugin=") || a.starts_with("-fplugin-arg-")))
      continue;
    out.push_back(args[i]);
  }
  return out;
}

std::vector<std::string> clangCompatibleCommand(const std::vector<std::string>& args) {
  if (args.size() < 2) return args;
  auto parsed = parse(args);
  std::vector<bool> drop(args.size(), false);
  for (const llvm::opt::Arg* a : parsed->args)
    if (a->getOption().getID() == opts::OPT_UNKNOWN) drop[a->getIndex() + 1] = true;
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i)
    if (!drop[i]) out.push_back(args[i]);
  return out;
}

std::string commandOutput(const std::vector<std::string>& args, const std::string& directory) {
  if (args.size() < 2) return "";
  auto parsed = parse(args);
  const llvm::opt::Arg* o = parsed->args.getLastArg(opts::OPT_o);
  return o ? absoluteIn(o->getValue(), directory) : "";
}

std::vector<std::string> commandSources(const std::vector<std::string>& args,
                                        const std::string& directory) {
  std::vector<std::string> out;
  if (args.size() < 2) return out;
  auto parsed = parse(args);
  for (const llvm::opt::Arg* a : parsed->args.filtered(opts::OPT_INPUT))
    if (isSource(a->getValue())) out.push_back(absoluteIn(a->getValue(), directory));
  return out;
}

std::string factsPath(const std::string& object, const std::string& factsDir) {
  if (factsDir.empty()) return object + kBuildFactsSuffix;
  llvm::SmallString<256> path(factsDir);
  std::string name = llvm::sys::path::filename(object).str() + "-" +
                     hex(llvm::xxh3_64bits(object)) + kBuildFactsSuffix;
  llvm::sys::path::append(path, name);
  return std::string(path);
}

std::string CollectorSettings::key() const {
  std::string key;
  for (const std::string& p : handlerPatterns) (key += p) += '\0';
  key += systemHeaders ? "system-headers" : "";
  key += '\0';
  key += frameworksFingerprint;
  return hex(llvm::xxh3_64bits(key));
}

CollectorSettings settingsFromConfig(const FileConfig* config) {
  CollectorSettings s;
  if (!config) return s;
  s.handlerPatterns = config->handlerPatterns;
  s.systemHeaders = config->systemHeaders.value_or(false);
  if (!config->frameworks.frameworks.empty()) {
    auto table = std::make_shared<FrameworkTable>(builtinFrameworks());
    table->append(config->frameworks);
    s.frameworks = std::move(table);
    s.frameworksFingerprint = config->frameworks.fingerprint();
  }
  return s;
}

std::optional<uint64_t> ContentHasher::hash(const std::string& path) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = hashes_.find(path);
    if (it != hashes_.end()) return it->second;
  }
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) return std::nullopt;
  uint64_t hash = llvm::xxh3_64bits(llvm::arrayRefFromStringRef((*buffer)->getBuffer()));
  std::lock_guard<std::mutex> lock(mutex_);
  hashes_[path] = hash;
  return hash;
}

std::string writeBuildFacts(const BuildFacts& facts, const std::string& path) {
  // Sorted: the same compile writes the same bytes (reproducible outputs for build caches).
  std::vector<std::pair<std::string, uint64_t>> sorted = facts.dependencies;
  std::sort(sorted.begin(), sorted.end());
  llvm::json::Array deps;
  for (const auto& [file, hash] : sorted) deps.push_back(llvm::json::Array{file, hex(hash)});
  llvm::json::Array command;
  for (const std::string& a : facts.command) command.push_back(a);
  llvm::json::Array units;
  for (const TUFacts& f : facts.facts) units.push_back(factsToJson(f));
  llvm::json::Value doc =
      llvm::json::Object{{"version", kFactsVersion},      {"fingerprint", facts.fingerprint},
                         {"source", facts.source},        {"directory", facts.directory},
                         {"command", std::move(command)}, {"settings", facts.settings},
                         {"deps", std::move(deps)},       {"facts", std::move(units)}};
  std::string body;
  llvm::raw_string_ostream(body) << doc;

  llvm::StringRef parent = llvm::sys::path::parent_path(path);
  if (!parent.empty())
    if (std::error_code ec = llvm::sys::fs::create_directories(parent))
      return "cannot create '" + parent.str() + "': " + ec.message();
  int fd;
  llvm::SmallString<256> temp;
  std::string model =
      (parent.empty() ? std::string(".") : parent.str()) + "/.forksafe-tmp-%%%%%%%%";
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(model, fd, temp))
    return "cannot write '" + path + "': " + ec.message();
  {
    llvm::raw_fd_ostream out(fd, /*shouldClose=*/true);
    out << FactsCache::entryHeader("build", body) << '\n' << body;
    out.close();
    if (out.has_error()) {
      std::string why = out.error().message();
      out.clear_error();
      llvm::sys::fs::remove(temp);
      return "cannot write '" + path + "': " + why;
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(temp, path)) {
    llvm::sys::fs::remove(temp);
    return "cannot write '" + path + "': " + ec.message();
  }
  return "";
}

std::optional<BuildFacts> readBuildFacts(const std::string& path, std::string& why) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    why = buffer.getError().message();
    return std::nullopt;
  }
  auto [header, body] = (*buffer)->getBuffer().split('\n');
  if (header != FactsCache::entryHeader("build", body)) {
    why = "damaged (checksum mismatch)";
    return std::nullopt;
  }
  auto doc = llvm::json::parse(body);
  if (!doc) {
    why = "not JSON: " + llvm::toString(doc.takeError());
    return std::nullopt;
  }
  const llvm::json::Object* root = doc->getAsObject();
  if (!root || root->getInteger("version") != kFactsVersion) {
    why = "another facts version";
    return std::nullopt;
  }
  BuildFacts out;
  auto str = [&](const char* name, std::string& field) {
    auto v = root->getString(name);
    if (v) field = v->str();
    return v.has_value();
  };
  const llvm::json::Array* command = root->getArray("command");
  const llvm::json::Array* deps = root->getArray("deps");
  const llvm::json::Array* units = root->getArray("facts");
  if (!str("fingerprint", out.fingerprint) || !str("source", out.source) ||
      !str("directory", out.directory) || !str("settings", out.settings) || !command || !deps ||
      !units) {
    why = "a field is missing";
    return std::nullopt;
  }
  for (const llvm::json::Value& a : *command) {
    auto s = a.getAsString();
    if (!s) {
      why = "a command argument is not a string";
      return std::nullopt;
    }
    out.command.push_back(s->str());
  }
  for (const llvm::json::Value& dep : *deps) {
    const llvm::json::Array* d = dep.getAsArray();
    std::optional<llvm::StringRef> file, hash;
    uint64_t value = 0;
    if (d && d->size() == 2) {
      file = (*d)[0].getAsString();
      hash = (*d)[1].getAsString();
    }
    if (!file || !hash || hash->getAsInteger(16, value)) {
      why = "a dependency is malformed";
      return std::nullopt;
    }
    out.dependencies.emplace_back(file->str(), value);
  }
  for (const llvm::json::Value& unit : *units) {
    auto facts = factsFromJson(unit);
    if (!facts) {
      why = "bad facts: " + llvm::toString(facts.takeError());
      return std::nullopt;
    }
    out.facts.push_back(std::move(*facts));
  }
  return out;
}

std::string staleReason(const BuildFacts& facts, const std::string& source,
                        const std::string& directory, const std::vector<std::string>& command,
                        const std::string& settingsKey, ContentHasher& hasher) {
  if (facts.fingerprint != analysisFingerprint()) return "written by another forksafe build";
  if (facts.source != source) return "written for another source ('" + facts.source + "')";
  if (facts.directory != directory || facts.command != normalizedCommand(command))
    return "the compile command changed";
  if (facts.settings != settingsKey) return "the handler/framework settings changed";
  for (const auto& [file, hash] : facts.dependencies) {
    std::optional<uint64_t> now = hasher.hash(file);
    if (!now) return "'" + file + "' it read is gone";
    if (*now != hash) return "'" + file + "' changed since the build";
  }
  return "";
}

namespace {

// The compile commands recorded in facts files (scan()).
class RecordedCommands : public clang::tooling::CompilationDatabase {
 public:
  void add(clang::tooling::CompileCommand command) { commands_.push_back(std::move(command)); }
  std::vector<clang::tooling::CompileCommand> getCompileCommands(
      llvm::StringRef file) const override {
    std::vector<clang::tooling::CompileCommand> out;
    for (const auto& c : commands_)
      if (c.Filename == file) out.push_back(c);
    return out;
  }
  std::vector<std::string> getAllFiles() const override {
    std::vector<std::string> out;
    for (const auto& c : commands_)
      if (std::find(out.begin(), out.end(), c.Filename) == out.end()) out.push_back(c.Filename);
    return out;
  }
  std::vector<clang::tooling::CompileCommand> getAllCompileCommands() const override {
    return commands_;
  }

 private:
  std::vector<clang::tooling::CompileCommand> commands_;
};

}  // namespace

std::unique_ptr<clang::tooling::CompilationDatabase> BuildFactsIndex::scan(std::string& why) {
  if (!llvm::sys::fs::is_directory(factsDir_)) {
    why = "'" + factsDir_ + "' is not a directory";
    return nullptr;
  }
  std::vector<std::string> paths;
  std::error_code ec;
  for (llvm::sys::fs::recursive_directory_iterator it(factsDir_, ec), end; it != end && !ec;
       it.increment(ec))
    if (llvm::StringRef(it->path()).ends_with(kBuildFactsSuffix)) paths.push_back(it->path());
  if (ec) {
    why = "cannot read '" + factsDir_ + "': " + ec.message();
    return nullptr;
  }
  std::sort(paths.begin(), paths.end());
  auto db = std::make_unique<RecordedCommands>();
  for (const std::string& path : paths) {
    std::string unusable;
    auto facts = readBuildFacts(path, unusable);
    if (!facts) continue;  // damaged or of another version: nothing to check it with
    auto& known = scanned_[facts->source];
    if (known.empty() && !facts->command.empty())
      db->add(clang::tooling::CompileCommand(facts->directory, facts->source, facts->command, ""));
    known.push_back(path);
  }
  if (scanned_.empty()) {
    why = "no usable facts files (*" + std::string(kBuildFactsSuffix) + ") in '" + factsDir_ + "'";
    return nullptr;
  }
  return db;
}

std::optional<std::vector<TUFacts>> BuildFactsIndex::lookup(
    const std::string& file, const std::vector<clang::tooling::CompileCommand>& commands,
    const std::string& settingsKey, std::string& why) {
  std::vector<TUFacts> out;
  for (const clang::tooling::CompileCommand& c : commands) {
    std::vector<std::string> candidates;
    auto scanned = scanned_.find(file);
    if (scanned != scanned_.end()) candidates = scanned->second;
    std::string object = c.Output.empty() ? commandOutput(c.CommandLine, c.Directory)
                                          : absoluteIn(c.Output, c.Directory);
    if (!object.empty()) {
      if (!factsDir_.empty()) candidates.push_back(factsPath(object, factsDir_));
      candidates.push_back(factsPath(object, ""));
    }
    bool found = false;
    why = candidates.empty() ? "its compile command names no object file" : "no facts file";
    for (const std::string& path : candidates) {
      std::string unusable;
      auto facts = readBuildFacts(path, unusable);
      if (!facts) {
        if (llvm::sys::fs::exists(path)) why = "'" + path + "': " + unusable;
        continue;
      }
      std::string stale =
          staleReason(*facts, file, c.Directory, c.CommandLine, settingsKey, hasher_);
      if (!stale.empty()) {
        why = "'" + path + "' is stale: " + stale;
        continue;
      }
      for (TUFacts& f : facts->facts) out.push_back(std::move(f));
      found = true;
      break;
    }
    if (!found) return std::nullopt;
  }
  if (out.empty()) return std::nullopt;
  why.clear();
  return out;
}

}  // namespace forksafe
