// StageProgress: how a pipeline stage says how far it has come. The
// library never prints; `cli` turns these calls into its progress bar or
// log lines (cli/progress.hpp).
#pragma once

#include <functional>
#include <string_view>

namespace sourcetrace::pipeline {

// `what` names the current step; `fraction` in [0, 1] of the whole stage.
using StageProgress = std::function<void(std::string_view what, double fraction)>;

}  // namespace sourcetrace::pipeline
