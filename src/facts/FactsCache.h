// A ccache-style cache of TU facts. An entry is keyed by the file, its compile commands and the
// tool version, and remembers every file the parse read (sources and headers) with a content
// hash; it is valid while all of them are unchanged. Entries are written atomically (temporary
// file + rename), so concurrent runs sharing a cache directory never see partial entries. An
// entry is one header line, "forksafe-facts <checksum>", then the JSON; the checksum covers the
// key and the JSON, so a damaged entry, or one copied under another key, is a miss.
#pragma once

#include <llvm/ADT/StringMap.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "facts/Facts.h"

namespace forksafe {

class FactsCache {
 public:
  // An empty directory disables the cache.
  explicit FactsCache(std::string dir);

  bool enabled() const { return !dir_.empty(); }
  const std::string& dir() const { return dir_; }

  static std::string key(const std::vector<std::string>& parts);
  // `dependencies`, when given, receives the absolute paths of the files a hit was made from.
  std::optional<std::vector<TUFacts>> lookup(const std::string& key,
                                             std::vector<std::string>* dependencies = nullptr);
  // `dependencies`: absolute paths of every file the parse read.
  void store(const std::string& key, const std::vector<TUFacts>& facts,
             const std::vector<std::string>& dependencies);

  // The default location: $FORKSAFE_CACHE_DIR, $XDG_CACHE_HOME/forksafe or ~/.cache/forksafe.
  static std::string defaultDir();
  // An entry's first line: a checksum of its key and JSON body (public for the fuzz target, which
  // wraps arbitrary bodies in a valid header to reach the JSON reader).
  static std::string entryHeader(llvm::StringRef key, llvm::StringRef body);

 private:
  std::optional<uint64_t> contentHash(const std::string& path);
  std::string entryPath(const std::string& key) const;

  std::string dir_;
  std::mutex mutex_;                  // guards hashes_ (lookups run on many threads)
  llvm::StringMap<uint64_t> hashes_;  // per-run memo: each header is hashed once
};

}  // namespace forksafe
