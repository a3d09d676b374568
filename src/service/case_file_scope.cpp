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

Status write_case_from_run(const std::string& run_dir, const std::string& id, const std::string& dir,
                           const std::string& brand) {
  auto snapshot = RunSnapshot::load(run_dir);
  if (!snapshot.is_ok()) return snapshot.status();
  Scope scope;
  scope.everything = brand.empty();
  if (!brand.empty()) scope.brands = {brand};
  try {
    return write_case_file(dir, id, case_file_of(*snapshot.value(), scope, id, Limits{}));
  } catch (const api::NotFound& e) {
    return Status::not_found(fmt::format("{}: {}{}", run_dir, e.message, brand.empty() ? "" : " for brand " + brand));
  }
}

}  // namespace sourcetrace::service
