// Network changes: what happened to each suspected network since the
// previous run, the rows of changes.csv (docs/tables.md).
//
// One row per network id at or above the minimum risk on either night:
//   new        an id minted tonight, made of no old network
//   grown      kept its id; members up by at least `grown` (a share)
//   shrunk     kept its id; members down by at least `shrunk`
//   unchanged  kept its id, neither
//   split      kept its id while part of it became another network, or is
//              that part (the other ids in `others`)
//   merged     absorbed other networks (`others`), or was absorbed into
//              `others` (its id ends tonight)
//   gone       last night's network, no longer there
// A kept id that both absorbed and lost a part is `merged`. Members and
// risk are given before and after (after = where its members went, for an
// id absorbed tonight), with the evidence rows dated after the previous
// run's as-of date on tonight's members. Rows are ordered most suspect
// first (the higher of the two nights' risks), ties by id.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "sourcetrace/risk/network_lineage.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::risk {

// [changes] of a job file: how much the members must move to be a change.
struct ChangeOptions {
  double grown = 0.1;
  double shrunk = 0.1;
};

Status validate(const ChangeOptions& options);

// Stored in lineage.h5: never renumber, only append.
enum class NetworkChange : std::uint8_t { kNew, kGrown, kShrunk, kUnchanged, kSplit, kMerged, kGone };
std::string_view network_change_name(NetworkChange change);

// A network on one night, as changes.csv counts it.
struct NetworkState {
  std::uint32_t members = 0;
  double risk = 0;
};

struct ChangeRow {
  NetworkId id = 0;
  NetworkChange change = NetworkChange::kNew;
  std::vector<NetworkId> others;  // split or merge partners, by id
  std::uint32_t members_before = 0, members_after = 0;
  double risk_before = 0, risk_after = 0;
  std::uint32_t new_evidence = 0;
  bool operator==(const ChangeRow&) const = default;
};

// `s` from continue_chain() over `previous_history`; `before` per
// previous network, `after` and `new_evidence` per tonight's network.
std::vector<ChangeRow> network_changes(const Succession& s, std::span<const NetworkHistory> previous_history,
                                       std::span<const NetworkState> before, std::span<const NetworkState> after,
                                       std::span<const std::uint32_t> new_evidence, double min_risk,
                                       const ChangeOptions& options);

}  // namespace sourcetrace::risk
