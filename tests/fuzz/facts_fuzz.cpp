// Fuzzes the facts cache reader (FactsCache::lookup, factsFromJson), then links and checks facts.
#include <llvm/Support/FileSystem.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "CheckRegistry.h"
#include "facts/FactsCache.h"
#include "facts/FactsIO.h"
#include "fuzz_util.h"
#include "model/Link.h"
#include "model/Model.h"
#include "report/Suppressions.h"

namespace {

std::string print(const llvm::json::Value& v) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << v;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string dir = forksafe::fuzz::scratch_dir() + "/cache";
  static const std::string key = forksafe::FactsCache::key({"fuzz"});
  // The entry's place in the cache: <dir>/<first two characters of the key>/<key>.json.
  static const std::string entry = [] {
    std::string sub = dir + "/" + key.substr(0, 2);
    llvm::sys::fs::create_directories(sub);
    return sub + "/" + key + ".json";
  }();
  // The input is the entry's JSON body; the checksummed header line is added, since a damaged
  // header is rejected before any parsing.
  const llvm::StringRef body(reinterpret_cast<const char*>(data), size);
  const std::string text = forksafe::FactsCache::entryHeader(key, body) + "\n" + body.str();
  forksafe::fuzz::write_file(entry, reinterpret_cast<const std::uint8_t*>(text.data()),
                             text.size());
  forksafe::FactsCache cache(dir);
  std::optional<std::vector<forksafe::TUFacts>> units = cache.lookup(key);
  if (!units) return 0;

  std::vector<const forksafe::TUFacts*> linked;
  for (const forksafe::TUFacts& facts : *units) {
    // What was read writes back to JSON that reads back to the same facts.
    std::string once = print(forksafe::factsToJson(facts));
    auto reread = forksafe::factsFromJson(forksafe::factsToJson(facts));
    FUZZ_REQUIRE(static_cast<bool>(reread));
    FUZZ_REQUIRE(print(forksafe::factsToJson(*reread)) == once);
    linked.push_back(&facts);
  }
  // Phase 3 of a run over those facts: link, model, every rule.
  forksafe::TUFacts program = forksafe::linkFacts(linked);
  forksafe::Model model(program);
  forksafe::Suppressions suppressions;
  forksafe::CheckContext ctx{model, suppressions};
  for (const auto& check : forksafe::allChecks()) {
    std::vector<forksafe::Finding> found;
    check->check(ctx, found);
    for (const forksafe::Finding& f : found) FUZZ_REQUIRE(f.rule == check->id());
  }
  return 0;
}
