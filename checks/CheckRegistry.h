// The one list of all rules, sorted by id.
#pragma once

#include <memory>
#include <vector>

#include "Check.h"

namespace forksafe {

std::vector<std::unique_ptr<Check>> allChecks();

}  // namespace forksafe
