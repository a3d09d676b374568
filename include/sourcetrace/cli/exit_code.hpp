// Exit codes of the sourcetrace command (sysexits.h), the one mapping from
// a library Status to what a shell script sees. Listed in the README.
#pragma once

#include "sourcetrace/status.hpp"

namespace sourcetrace::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 64;        // bad command line or parameter
inline constexpr int kExitDataError = 65;    // input breaks the contract, or a damaged file
inline constexpr int kExitNoInput = 66;      // a required input file or table is missing
inline constexpr int kExitInternal = 70;     // a bug: please report it
inline constexpr int kExitCannotCreate = 73; // an output cannot be created
inline constexpr int kExitIOError = 74;      // reading or writing failed
inline constexpr int kExitInterrupted = 130; // stopped by the user

int exit_code_for(const Status& status);

// Prints "sourcetrace: error: <message>" to stderr and returns the exit code.
int report_failure(const Status& status);

}  // namespace sourcetrace::cli
