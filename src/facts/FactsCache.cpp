// See FactsCache.h.
#include "facts/FactsCache.h"

#include <llvm/ADT/StringExtras.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Process.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Support/xxhash.h>

#include "facts/FactsIO.h"

namespace forksafe {

FactsCache::FactsCache(std::string dir) : dir_(std::move(dir)) {}

std::string FactsCache::defaultDir() {
  if (auto dir = llvm::sys::Process::GetEnv("FORKSAFE_CACHE_DIR")) return *dir;
  llvm::SmallString<256> path;
  if (auto xdg = llvm::sys::Process::GetEnv("XDG_CACHE_HOME"); xdg && !xdg->empty()) {
    path = *xdg;
  } else if (!llvm::sys::path::home_directory(path)) {
    return "";
  } else {
    llvm::sys::path::append(path, ".cache");
  }
  llvm::sys::path::append(path, "forksafe");
  return std::string(path);
}

std::string FactsCache::key(const std::vector<std::string>& parts) {
  std::string joined;
  for (const std::string& p : parts) (joined += p) += '\0';
  return llvm::utohexstr(llvm::xxh3_64bits(joined), /*LowerCase=*/true, 16) +
         llvm::utohexstr(llvm::xxh3_64bits(joined + "\x01"), true, 16);
}

std::string FactsCache::entryHeader(llvm::StringRef key, llvm::StringRef body) {
  std::string keyed = key.str();
  keyed += '\0';
  keyed += body;
  return "forksafe-facts " + llvm::utohexstr(llvm::xxh3_64bits(keyed), /*LowerCase=*/true, 16);
}

std::string FactsCache::entryPath(const std::string& key) const {
  llvm::SmallString<256> path(dir_);
  llvm::sys::path::append(path, key.substr(0, 2), key + ".json");
  return std::string(path);
}

std::optional<uint64_t> FactsCache::contentHash(const std::string& path) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = hashes_.find(path);
    if (it != hashes_.end()) return it->second;
  }
  auto buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buffer) return std::nullopt;
  uint64_t hash = llvm::xxh3_64bits(llvm::arrayRefFromStringRef((*buffer)->getBuffer()));
  std::lock_guard<std::mutex> lock(mutex_);
  hashes_[path] = hash;
  return hash;
}

std::optional<std::vector<TUFacts>> FactsCache::lookup(const std::string& key,
                                                       std::vector<std::string>* dependencies) {
  if (!enabled()) return std::nullopt;
  auto buffer = llvm::MemoryBuffer::getFile(entryPath(key), /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) return std::nullopt;
  // A damaged entry (truncated, a flipped bit, another key's content) is a miss; the next store
  // replaces it. The checksum catches what would still parse: a changed digit is a wrong line.
  llvm::StringRef text = (*buffer)->getBuffer();
  auto [header, body] = text.split('\n');
  if (header != entryHeader(key, body)) return std::nullopt;
  auto doc = llvm::json::parse(body);
  if (!doc) {
    llvm::consumeError(doc.takeError());
    return std::nullopt;
  }
  const llvm::json::Object* root = doc->getAsObject();
  if (!root || root->getInteger("version") != kFactsVersion) return std::nullopt;
  const llvm::json::Array* deps = root->getArray("deps");
  const llvm::json::Array* units = root->getArray("facts");
  if (!deps || !units) return std::nullopt;
  std::vector<std::string> paths;
  for (const llvm::json::Value& dep : *deps) {
    const llvm::json::Array* d = dep.getAsArray();
    if (!d || d->size() != 2) return std::nullopt;
    auto path = (*d)[0].getAsString();
    auto hash = (*d)[1].getAsString();
    if (!path || !hash) return std::nullopt;
    std::optional<uint64_t> now = contentHash(path->str());
    if (!now || llvm::utohexstr(*now, true, 16) != *hash) return std::nullopt;
    paths.push_back(path->str());
  }
  std::vector<TUFacts> out;
  for (const llvm::json::Value& unit : *units) {
    auto facts = factsFromJson(unit);
    if (!facts) {
      llvm::consumeError(facts.takeError());
      return std::nullopt;
    }
    out.push_back(std::move(*facts));
  }
  if (dependencies) *dependencies = std::move(paths);
  return out;
}

void FactsCache::store(const std::string& key, const std::vector<TUFacts>& facts,
                       const std::vector<std::string>& dependencies) {
  if (!enabled()) return;
  llvm::json::Array deps;
  for (const std::string& path : dependencies) {
    std::optional<uint64_t> hash = contentHash(path);
    if (!hash) return;  // a file vanished while we ran: do not cache
    deps.push_back(llvm::json::Array{path, llvm::utohexstr(*hash, true, 16)});
  }
  llvm::json::Array units;
  for (const TUFacts& f : facts) units.push_back(factsToJson(f));
  llvm::json::Value doc = llvm::json::Object{
      {"version", kFactsVersion}, {"deps", std::move(deps)}, {"facts", std::move(units)}};

  std::string path = entryPath(key);
  llvm::StringRef parent = llvm::sys::path::parent_path(path);
  if (llvm::sys::fs::create_directories(parent)) return;  // an unusable cache only costs speed
  int fd;
  llvm::SmallString<256> temp;
  if (llvm::sys::fs::createUniqueFile(parent + "/.tmp-%%%%%%%%", fd, temp)) return;
  {
    std::string body;
    llvm::raw_string_ostream(body) << doc;
    llvm::raw_fd_ostream out(fd, /*shouldClose=*/true);
    out << entryHeader(key, body) << '\n' << body;
    if (out.has_error()) {
      out.clear_error();
      llvm::sys::fs::remove(temp);
      return;
    }
  }
  if (llvm::sys::fs::rename(temp, path)) llvm::sys::fs::remove(temp);
}

}  // namespace forksafe
