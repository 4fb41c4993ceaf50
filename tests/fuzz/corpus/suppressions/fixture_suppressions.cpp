// Fixture: NOLINT, NOLINTNEXTLINE and NOLINTBEGIN/NOLINTEND, with clang-tidy's syntax, at the
// variable (drops the finding) or at a write (drops that site).
#include "forksafe/annotations.hpp"

int g_onlyRace = 0;  // NOLINT(forksafe-per-worker-state) expect: forksafe-unsynchronized-state
int g_all = 0;       // NOLINT
// NOLINTNEXTLINE(forksafe-*)
int g_nextLine = 0;
// NOLINTBEGIN(forksafe-unsynchronized-state)
int g_inBlock = 0;   // expect: forksafe-per-worker-state
// NOLINTEND(forksafe-unsynchronized-state)
int g_oneSiteLeft = 0;   // expect: forksafe-per-worker-state forksafe-unsynchronized-state
int g_allSitesQuiet = 0;
int g_otherRuleNamed = 0;  // NOLINT(forksafe-prefork-pid) expect: forksafe-per-worker-state forksafe-unsynchronized-state

FORKSAFE_HANDLER void Handle() {
  g_onlyRace++;
  g_all++;
  g_nextLine++;
  g_inBlock++;
  g_oneSiteLeft++;  // NOLINT(forksafe-per-worker-state, forksafe-unsynchronized-state)
  g_oneSiteLeft--;  // expect-note: forksafe-per-worker-state
  g_allSitesQuiet = 1;  // NOLINT(forksafe-*)
  g_otherRuleNamed = 2;
}
