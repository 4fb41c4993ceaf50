// The link phase: merges the facts of many translation units into one program.
#pragma once

#include "Facts.h"

#include <vector>

namespace forksafe {

// A function defined in several TUs (inline, templates) keeps the facts of the first TU that
// defines it; a variable keeps its definition's location when any TU has it. Deterministic for
// a given input order.
TUFacts linkFacts(const std::vector<const TUFacts*>& units);

}  // namespace forksafe
