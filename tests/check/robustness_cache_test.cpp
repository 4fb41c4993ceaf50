// Robustness, family 3: corrupt facts-cache entries: a run on a damaged cache ends cleanly and
// reports what a run without the cache reports.
#include <gtest/gtest.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/Path.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "robustness_mutation.h"
#include "robustness_support.h"

namespace {

using namespace forksafe::robustness;

std::vector<std::string> cacheEntries(const std::string& dir) {
  std::vector<std::string> out;
  for (const std::string& f : listFiles(dir, ".json", true))
    if (!llvm::sys::path::filename(f).starts_with(".tmp")) out.push_back(f);
  return out;
}

TEST(Robustness, CorruptCacheEntries) {
  uint64_t seed = seedFromEnv();
  uint64_t rounds = envNumber("FORKSAFE_ROBUSTNESS_CACHE_ROUNDS", 30);
  Rng rng(seed ^ 0xcac4e);
  TempDir dir;
  std::string fake = dir.path() + "/fake";
  writeFakeStdHeaders(fake);
  writeFile(fake + "/prelude.h", read_file(FORKSAFE_ROBUSTNESS_INCLUDE "/prelude.h"));
  std::vector<std::string> argv = {FORKSAFE_CHECK_BINARY, "--format=json", "-j2"};
  for (const std::string& f : listFiles(FORKSAFE_FIXTURE_DIR, ".cpp", false)) argv.push_back(f);
  // A cross-file pair: the link phase must see the same facts from the cache as from the parse.
  argv.push_back(dir.file("store.cpp", "long g_total;\nvoid Add(long n) { g_total += n; }\n"));
  argv.push_back(dir.file(
      "routes.cpp",
      "void Add(long);\n[[clang::annotate(\"forksafe::handler\")]] void Post() { Add(1); }\n"));
  for (const char* a : {"--", "-std=c++17", "-nostdinc"}) argv.push_back(a);
  argv.push_back("-I" + fake);
  argv.push_back("-I" FORKSAFE_RUNTIME_INCLUDE);
  std::vector<std::string> noCache = argv;
  noCache.insert(noCache.begin() + 1, "--no-cache");
  std::string cacheDir = dir.path() + "/cache";
  std::vector<std::string> cached = argv;
  cached.insert(cached.begin() + 1, "--cache-dir=" + cacheDir);

  ProcessResult baseline = runBounded(noCache);
  ASSERT_EQ(basicProblems(baseline), "") << baseline.err;
  ASSERT_NE(baseline.out.find("g_total"), std::string::npos) << baseline.out;
  ProcessResult cold = runBounded(cached);
  ASSERT_EQ(cold.out, baseline.out);
  std::vector<std::string> entries = cacheEntries(cacheDir);
  ASSERT_GE(entries.size(), 5u);
  std::vector<std::string> pristine;
  for (const std::string& e : entries) pristine.push_back(read_file(e));

  size_t failures = 0;
  for (uint64_t round = 0; round < rounds && failures < 3; ++round) {
    for (size_t i = 0; i < entries.size(); ++i) writeFile(entries[i], pristine[i]);
    std::string what;
    for (size_t n = 1 + rng.below(3); n > 0; --n) {
      size_t victim = rng.below(entries.size());
      std::string text = pristine[victim];
      switch (rng.below(7)) {
        case 0:
          text = text.substr(0, rng.below(text.size()));
          what += " truncated";
          break;
        case 1:
          for (size_t k = 1 + rng.below(8); k > 0 && !text.empty(); --k)
            text[rng.below(text.size())] ^= static_cast<char>(1 << rng.below(8));
          what += " bit-flipped";
          break;
        case 2: {  // a digit changed: still valid JSON
          std::vector<size_t> digits;
          for (size_t k = 0; k < text.size(); ++k)
            if (std::isdigit(static_cast<unsigned char>(text[k]))) digits.push_back(k);
          if (!digits.empty()) {
            size_t k = rng.pick(digits);
            text[k] = text[k] == '9' ? '1' : text[k] + 1;
          }
          what += " digit-changed";
          break;
        }
        case 3:
          text = pristine[rng.below(pristine.size())];
          what += " swapped";
          break;
        case 4:
          text = "";
          what += " emptied";
          break;
        case 5:
          text = repeat("[", 100000);
          what += " deeply-nested";
          break;
        default:
          text = randomBytes(rng, rng.below(4096));
          what += " garbage";
          break;
      }
      writeFile(entries[victim], text);
    }
    ProcessResult r = runBounded(cached);
    std::vector<std::string> problems;
    if (std::string b = basicProblems(r); !b.empty())
      problems.push_back(b);
    else if (r.out != baseline.out || r.status != baseline.status)
      problems.push_back("the report differs from the report without cache");
    if (problems.empty()) {
      // The damaged entries were recomputed and replaced: a second run takes every file from the
      // cache and still says the same.
      ProcessResult again = runBounded(cached);
      if (again.out != baseline.out) problems.push_back("the run after the repair differs");
    }
    if (!problems.empty()) {
      ++failures;
      std::vector<std::pair<std::string, std::string>> kept = {
          {"stdout.txt", r.out}, {"stderr.txt", r.err}, {"baseline.txt", baseline.out}};
      for (const std::string& e : entries)
        kept.push_back({"cache/" + llvm::sys::path::filename(e).str(), read_file(e)});
      std::string where =
          keepFailure("seed-" + std::to_string(seed) + "-cache-" + std::to_string(round), kept);
      std::string all;
      for (const std::string& pr : problems) all += "\n  " + pr;
      ADD_FAILURE() << "FORKSAFE_ROBUSTNESS_SEED=" << seed << ", cache round " << round << " ("
                    << what << "):" << all << "\nkept in " << where;
    }
  }
}

}  // namespace
