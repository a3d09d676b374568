// Field rules of the table contract: identifiers, dates, quantities.
//
// Each parser returns nullptr on success and otherwise a short reason that
// the caller puts after `file:line: column`. They are pure functions, safe
// from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sourcetrace/tables/contract.hpp"

namespace sourcetrace::tables {

inline constexpr std::size_t kMaxIdentifierBytes = 128;

// 1–128 bytes, no C0/C1 control characters, no DEL.
const char* check_identifier(std::string_view text);

// A report id (evidence.report, the service's reports): 1–64 of
// A-Z a-z 0-9 . _ : - (it goes into journals, files and messages).
const char* check_report_id(std::string_view text);

// YYYY-MM-DD, a real calendar date.
const char* parse_date(std::string_view text, Day& day);

// A non-negative decimal: digits with an optional fraction ("12", "0.5").
const char* parse_quantity(std::string_view text, double& value);

// The inverse of parse_date, for output and messages.
std::string format_date(Day day);

}  // namespace sourcetrace::tables
