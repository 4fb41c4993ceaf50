// Explicit registration: add a rule here (keep the list sorted by id).
#include "CheckRegistry.h"

#include "PerWorkerStateCheck.h"
#include "PreforkDescriptorCheck.h"
#include "PreforkPidCheck.h"
#include "PreforkRngCheck.h"
#include "PreforkThreadCheck.h"
#include "UnsynchronizedStateCheck.h"

namespace forksafe {

std::vector<std::unique_ptr<Check>> allChecks() {
  std::vector<std::unique_ptr<Check>> checks;
  checks.push_back(std::make_unique<PerWorkerStateCheck>());       // forksafe-per-worker-state
  checks.push_back(std::make_unique<PreforkDescriptorCheck>());    // forksafe-prefork-descriptor
  checks.push_back(std::make_unique<PreforkPidCheck>());           // forksafe-prefork-pid
  checks.push_back(std::make_unique<PreforkRngCheck>());           // forksafe-prefork-rng
  checks.push_back(std::make_unique<PreforkThreadCheck>());        // forksafe-prefork-thread
  checks.push_back(std::make_unique<UnsynchronizedStateCheck>());  // forksafe-unsynchronized-state
  return checks;
}

}  // namespace forksafe
