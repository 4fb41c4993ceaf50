// Robustness, family 1: thousands of randomly mutated sources (robustness_mutation.cpp) through
// the built forksafe-check. See robustness_support.h for the seed, the count and the failure
// folder.
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

TEST(Robustness, MutatedSources) {
  uint64_t seed = seedFromEnv();
  uint64_t count = envNumber("FORKSAFE_ROBUSTNESS_COUNT", 2000);
  std::vector<std::string> seeds = seedSources();
  ASSERT_GE(seeds.size(), 20u) << "seed sources not found";
  TempDir dir;
  std::string fake = dir.path() + "/robustness_fake";
  writeFakeStdHeaders(fake);
  writeFile(fake + "/prelude.h", read_file(FORKSAFE_ROBUSTNESS_INCLUDE "/prelude.h"));
  // The runtime examples include "../common/state_file.hpp".
  for (const std::string& h :
       listFiles(std::string(FORKSAFE_EXAMPLES_DIR) + "/common", ".hpp", false))
    writeFile(dir.path() + "/common/" + llvm::sys::path::filename(h).str(), read_file(h));
  std::string flags = "-std=c++17 -nostdinc -I" + fake +
                      " -I" FORKSAFE_RUNTIME_INCLUDE " -I" FORKSAFE_EVAL_DIR "/include";

  Rng rng(seed);
  std::vector<std::string> files;
  for (uint64_t i = 0; i < count; ++i) {
    std::string name = "m" + std::to_string(i) + ".cpp";
    std::string path = dir.path() + "/src/" + name;
    writeFile(path, mutate(rng, seeds, name));
    files.push_back(path);
  }

  size_t checked = 0, rejected = 0, failures = 0, runs = 0;
  double slowest = 0;
  auto started = std::chrono::steady_clock::now();
  for (size_t first = 0; first < files.size(); first += kBatchSize) {
    std::vector<std::string> batch(files.begin() + first,
                                   files.begin() + std::min(files.size(), first + kBatchSize));
    size_t index = first / kBatchSize;
    // Every tenth batch goes through a cache, twice: facts of odd sources must survive the
    // round trip unchanged.
    bool cached = index % 10 == 0;
    std::string cacheDir = dir.path() + "/cache" + std::to_string(index);
    // Each batch is a compilation database of its own, checked whole (-p analyses every file of
    // its database, so one database for all batches would make every run parse all of them).
    std::string buildDir = dir.path() + "/build" + std::to_string(index);
    {
      llvm::json::Array db;
      for (const std::string& path : batch)
        db.push_back(llvm::json::Object{{"directory", dir.path() + "/src"},
                                        {"file", path},
                                        {"command", "c++ " + flags + " -c " + path}});
      std::string text;
      llvm::raw_string_ostream os(text);
      os << llvm::json::Value(std::move(db));
      writeFile(buildDir + "/compile_commands.json", text);
    }
    std::vector<std::string> argv = {FORKSAFE_CHECK_BINARY, "-p", buildDir, "-j2", "--format=json"};
    argv.push_back(cached ? "--cache-dir=" + cacheDir : "--no-cache");
    std::vector<std::string> problems;
    auto t0 = std::chrono::steady_clock::now();
    ProcessResult r = runBounded(argv);
    ++runs;
    slowest = std::max(
        slowest, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (std::string p = basicProblems(r); !p.empty()) problems.push_back(p);
    if (problems.empty()) {
      // Each file is either checked or named in exactly one error line, and exit 2 iff any is not.
      auto doc = llvm::json::parse(r.out);
      if (!doc || !doc->getAsObject() || !doc->getAsObject()->getArray("errors")) {
        if (!doc) llvm::consumeError(doc.takeError());
        problems.push_back("stdout is not the JSON report");
      } else {
        std::multiset<std::string> named;
        for (const llvm::json::Value& e : *doc->getAsObject()->getArray("errors"))
          if (const llvm::json::Object* o = e.getAsObject())
            named.insert(o->getString("file").value_or("").str());
        size_t errorLines = countOf(r.err, "forksafe-check: error: cannot parse '");
        for (const std::string& f : batch)
          if (named.count(f) > 1) problems.push_back("'" + f + "' named more than once");
        if (named.size() != errorLines) problems.push_back("JSON errors and error lines differ");
        size_t inBatch = 0;
        for (const std::string& f : named) inBatch += std::count(batch.begin(), batch.end(), f) > 0;
        if (inBatch != named.size()) problems.push_back("an error names a file outside the batch");
        std::string summary =
            "forksafe-check: " + std::to_string(batch.size() - named.size()) + " file(s) checked";
        if (r.err.find(summary) == std::string::npos)
          problems.push_back("summary does not say '" + summary + "'");
        if ((r.status == 2) != !named.empty())
          problems.push_back("exit status " + std::to_string(r.status) + " with " +
                             std::to_string(named.size()) + " unchecked file(s)");
        for (const std::string& line : linesOf(r.err))
          if (line.rfind("forksafe-check: ", 0) != 0)
            problems.push_back("stray stderr line: " + line.substr(0, 200));
        checked += batch.size() - named.size();
        rejected += named.size();
        if (cached) {
          ProcessResult again = runBounded(argv);
          ++runs;
          if (std::string p = basicProblems(again); !p.empty())
            problems.push_back("cached run: " + p);
          else if (again.out != r.out || again.status != r.status)
            problems.push_back("the cached run's report differs from the first run's");
        }
      }
    }
    if (!problems.empty()) {
      ++failures;
      std::vector<std::pair<std::string, std::string>> kept = {
          {"stdout.txt", r.out},
          {"stderr.txt", r.err},
          {"build/compile_commands.json", read_file(buildDir + "/compile_commands.json")}};
      for (const std::string& f : batch)
        kept.push_back({"src/" + llvm::sys::path::filename(f).str(), read_file(f)});
      kept.push_back({"robustness_fake/prelude.h", read_file(fake + "/prelude.h")});
      std::string where =
          keepFailure("seed-" + std::to_string(seed) + "-batch-" + std::to_string(index), kept);
      std::string all;
      for (const std::string& p : problems) all += "\n  " + p;
      ADD_FAILURE() << "FORKSAFE_ROBUSTNESS_SEED=" << seed << " FORKSAFE_ROBUSTNESS_COUNT=" << count
                    << ", batch " << index << " (files " << first << ".."
                    << first + batch.size() - 1 << "):" << all << "\ninputs kept in " << where
                    << "\ncommand: " << commandLine(argv) << "\nstderr (first 2000 bytes):\n"
                    << r.err.substr(0, 2000);
      if (failures >= 5) break;  // enough to go on; the rest would repeat the same
    }
  }
  double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "robustness: seed %llu, %zu mutated sources in %zu runs: %zu checked, %zu rejected "
      "as not compiling; %.1f s in all, slowest run %.1f s\n",
      static_cast<unsigned long long>(seed), files.size(), runs, checked, rejected, total, slowest);
  EXPECT_GT(checked, files.size() / 20) << "almost nothing compiles: the mutations test nothing";
}

}  // namespace
