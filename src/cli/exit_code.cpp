// Status → exit code, and the one place errors are printed.
#include "sourcetrace/cli/exit_code.hpp"

#include <fmt/core.h>

#include <cstdio>

namespace sourcetrace::cli {

int exit_code_for(const Status& status) {
  using C = Status::Code;
  switch (status.code()) {
    case C::kOk: return kExitOk;
    case C::kInvalidInput: return kExitDataError;
    case C::kCorrupt: return kExitDataError;
    case C::kMissingInput: return kExitNoInput;
    case C::kNotFound: return kExitNoInput;
    case C::kCannotCreate: return kExitCannotCreate;
    case C::kIOError: return kExitIOError;
    case C::kInvalidArgument: return kExitUsage;
    case C::kCancelled: return kExitInterrupted;
    case C::kInternal: return kExitInternal;
  }
  return kExitInternal;
}

int report_failure(const Status& status) {
  fmt::print(stderr, "sourcetrace: error: {}\n", status.message());
  return exit_code_for(status);
}

}  // namespace sourcetrace::cli
