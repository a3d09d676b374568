// Reading a market profile file (`generate --profile FILE.toml`): fixed
// values (`key = 0.3`) or uniform ranges (`key = [0.1, 0.5]`) that override
// parameters of a market family, by section as profile.toml writes them.
//
// It lives in cli rather than in market because the generator library takes
// plain structs (MarketFamily) and parses no files, while toml++ and the
// rules every TOML file of the command line follows (known sections and
// keys only, errors as file:line naming the key; toml_sections.hpp) are
// here already: a profile file reports its mistakes the way job files do.
#pragma once

#include <string>

#include "sourcetrace/market/profile.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::cli {

// `base` with the file's values in place of its own. Fails with
// "file:line: [section] key reason" (kInvalidArgument) on an unknown
// section or key or a bad value, kMissingInput when the file cannot be read.
Result<market::MarketFamily> read_profile_file(const std::string& path, const market::MarketFamily& base);

}  // namespace sourcetrace::cli
