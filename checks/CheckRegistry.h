// The one list of all rules, sorted by id.
#pragma once

#include "Check.h"

#include <memory>
#include <vector>

namespace forksafe {

std::vector<std::unique_ptr<Check>> allChecks();

}  // namespace forksafe
