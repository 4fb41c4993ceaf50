// The robustness tests' mutation engine: token, line and byte edits of C++ sources (seeded by
// the rule fixtures and example apps), and structural edits of JSON compilation databases.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "robustness_support.h"

namespace forksafe::robustness {

// One to four random edits of a random seed; `selfName` is the file's own name (for
// self-includes).
std::string mutate(Rng& rng, const std::vector<std::string>& seeds, const std::string& selfName);
// `n` random bytes, half of them NUL, invalid UTF-8 lead bytes, CR, ^Z and other troublemakers.
std::string randomBytes(Rng& rng, size_t n);
// Random structural edits of a JSON text (brackets, escapes, odd values).
std::string mutateJson(Rng& rng, std::string text);

}  // namespace forksafe::robustness
