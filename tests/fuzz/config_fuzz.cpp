// Fuzzes .forksafe.yaml reading (ConfigFinder, parseConfig) and the Checks: glob lists it carries.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/Config.h"
#include "config/GlobList.h"
#include "fuzz_util.h"

namespace {

constexpr const char* kRules[] = {"forksafe-per-worker-state", "forksafe-prefork-descriptor",
                                  "forksafe-prefork-pid",      "forksafe-prefork-rng",
                                  "forksafe-prefork-thread",   "forksafe-unsynchronized-state"};

// Whatever a glob list says, a later glob naming a rule exactly decides it (the last match wins).
void check_globs(const std::string& globs) {
  forksafe::GlobList list(globs);
  for (const char* rule : kRules) {
    (void)list.contains(rule);
    FUZZ_REQUIRE(forksafe::GlobList(globs + "," + rule).contains(rule));
    FUZZ_REQUIRE(!forksafe::GlobList(globs + ",-" + rule).contains(rule));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string dir = forksafe::fuzz::scratch_dir();
  const std::string path =
      forksafe::fuzz::write_file(dir + "/" + forksafe::kConfigFileName, data, size);
  forksafe::ConfigFinder finder;
  auto config = finder.forSource(dir + "/handler.cpp");
  if (!config) {
    std::string message = llvm::toString(config.takeError());
    FUZZ_REQUIRE(message.rfind("invalid configuration " + path, 0) == 0);
    return 0;
  }
  FUZZ_REQUIRE(*config != nullptr && (*config)->path == path);
  // The same text through parseConfig directly gives the same result.
  auto again =
      forksafe::parseConfig(llvm::StringRef(reinterpret_cast<const char*>(data), size), path);
  FUZZ_REQUIRE(static_cast<bool>(again));
  FUZZ_REQUIRE(again->checks == (*config)->checks &&
               again->warningsAsErrors == (*config)->warningsAsErrors &&
               again->handlerPatterns == (*config)->handlerPatterns);
  if ((*config)->checks) check_globs(*(*config)->checks);
  if ((*config)->warningsAsErrors) check_globs(*(*config)->warningsAsErrors);
  return 0;
}
