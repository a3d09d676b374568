// Target scope: the ranked target list as a viewer that may see only some
// networks sees it (a brand's token in the query service, `sourcetrace
// export --brand`).
//
// Global ranks would count what it may not see: rank 7 right after rank 3
// says three targets are hidden between them, and the last rank counts
// the whole list. So the viewer's targets are renumbered 1..k, in the
// global order, and a rank past k is answered like one past the end of the
// list. The service and the export both rank through this one function.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace sourcetrace::targets {

// The targets (indices into the global list, which is in rank order) whose
// network is marked in `visible`; the viewer's rank of the i-th is i + 1.
// `target_network`: each target's network.
std::vector<std::uint32_t> targets_in_scope(std::span<const std::uint32_t> target_network,
                                            const std::vector<bool>& visible);

}  // namespace sourcetrace::targets
