// The link phase: merges the facts of many translation units into one program.
#pragma once

#include <vector>

#include "facts/Facts.h"

namespace forksafe {

// The result does not depend on the order of `units`: they are put in a canonical order first.
// A function defined in several TUs at one place (inline, templates in a header) keeps the facts
// of the first TU that defines it. A function defined at several places under one id (each app's
// extern "C" forksafe_app_register, same-named static functions whose ids collide) keeps every
// definition, renamed "<id>@<file>:<line>:<column>"; calls from a TU go to its own definition when
// it has one, else to every definition. A variable keeps its definition's location when any TU has
// it. Every function records the main file of the TU whose definition was kept (`unit`).
TUFacts linkFacts(const std::vector<const TUFacts*>& units);

}  // namespace forksafe
