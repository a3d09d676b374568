// case_file_of: a network's case file from a snapshot, under a scope.
#include <climits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sourcetrace/service/case_file.hpp"

namespace sourcetrace::service {

CaseFile case_file_of(const RunSnapshot& snapshot, const Scope& scope, const std::string& id, const Limits& limits) {
  Limits whole = limits;
  whole.max_graph_nodes = INT_MAX;  // a referral lists every member
  const api::NetworkGraph graph = snapshot.network_graph(scope, id, 0, whole);
  std::string note = "investigator: every network";
  if (!scope.everything) {
    note = "brand view: only the cases of " + fmt::format("{}", fmt::join(scope.brands, ", "));
  }
  return render_case_file(snapshot.run_info(scope), graph, note);
}

}  // namespace sourcetrace::service
