// Versioned serialization of TUFacts (JSON through llvm::json), for the cache and for linking
// translation units analysed in other processes or runs.
#pragma once

#include <llvm/Support/Error.h>
#include <llvm/Support/JSON.h>

#include "facts/Facts.h"

namespace forksafe {

llvm::json::Value factsToJson(const TUFacts& facts);
llvm::Expected<TUFacts> factsFromJson(const llvm::json::Value& value);

}  // namespace forksafe
