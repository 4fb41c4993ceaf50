// Fuzzes compile_commands.json loading as forksafe-check -p does it, and the cache key from it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "driver/CompileCommands.h"
#include "facts/FactsCache.h"
#include "fuzz_util.h"

namespace {

constexpr std::size_t kMaxFiles = 16;

// Driver.cpp's cache key reads every command of the file: directory and command line.
void use_commands(const clang::tooling::CompilationDatabase& db, const std::string& file) {
  std::vector<std::string> parts = {file};
  for (const clang::tooling::CompileCommand& c : db.getCompileCommands(file)) {
    parts.push_back(c.Directory);
    parts.insert(parts.end(), c.CommandLine.begin(), c.CommandLine.end());
  }
  FUZZ_REQUIRE(forksafe::FactsCache::key(parts).size() > 2);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string dir = forksafe::fuzz::scratch_dir();
  const std::string path = forksafe::fuzz::write_file(dir + "/compile_commands.json", data, size);
  std::string why;
  auto db = forksafe::loadCompileCommands(path, why);
  if (!db) {
    FUZZ_REQUIRE(!why.empty() && why.find('\n') == std::string::npos);
    return 0;
  }
  std::vector<std::string> files = db->getAllFiles();
  (void)db->getAllCompileCommands();
  for (std::size_t i = 0; i < files.size() && i < kMaxFiles; ++i) use_commands(*db, files[i]);
  // Files the database does not list borrow a neighbour's command (a header, a new source).
  use_commands(*db, dir + "/unlisted.cpp");
  use_commands(*db, dir + "/include/unlisted.h");
  if (!files.empty()) use_commands(*db, files.front() + ".h");
  return 0;
}
