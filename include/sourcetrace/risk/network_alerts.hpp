// Network alerts: what an enforcement team should look at first after a
// night's run, ranked, each with a reason in words (alerts.csv,
// docs/tables.md):
//
//   early_warning  a fresh entity (a seller or account opened within
//                  `fresh_days` up to the run's as-of date, with no
//                  evidence of its own) that joined a network at or above
//                  the minimum risk: the re-registered storefront caught
//                  before its first sale
//   new_network    a new id at or above the minimum risk, made of no known
//                  network (a part split from one, or known ones merged,
//                  is not new)
//   grown          a known network at or above the minimum risk that
//                  entities new to the market joined, at least [changes]
//                  grown of its members of last night (members the cut
//                  moved between networks are no growth)
//   risk_rose      a known network whose risk rose by `risk_rise` or more,
//                  to at or above the minimum risk
//   new_evidence   evidence dated after the previous run on a known network
//                  at or above the minimum risk
//
// Only a run chained to a previous one raises alerts: the first run of a
// chain has nothing to compare with, and a quiet night raises none.
// Ranked by the network's risk tonight, then by kind in the order above,
// then by network id and entity.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sourcetrace/graph/market_graph.hpp"
#include "sourcetrace/risk/network_changes.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::risk {

// [alerts] of a job file.
struct AlertOptions {
  int fresh_days = 14;     // an entity opened this many days or fewer before the as-of date is fresh
  double risk_rise = 0.1;  // a known network's risk up by this much
};

Status validate(const AlertOptions& options);

// Stored in lineage.h5: never renumber, only append.
enum class AlertKind : std::uint8_t { kEarlyWarning, kNewNetwork, kGrown, kRiskRose, kNewEvidence };
std::string_view alert_kind_name(AlertKind kind);

struct Alert {
  static constexpr std::uint32_t kNoEntity = UINT32_MAX;
  AlertKind kind = AlertKind::kNewNetwork;
  NetworkId network = 0;
  std::uint32_t entity = kNoEntity;  // tonight's vertex (early warnings)
  double risk = 0;                   // the network's, tonight
  std::string reason;
  bool operator==(const Alert&) const = default;
};

// What the alerts are drawn from: tonight's graph (entity kinds, keys and
// opening dates, evidence), tonight's networks (`network_of`, `risk` and
// `history` per network), what changed (`changes`, `s` from
// continue_chain) and the two as-of dates.
struct AlertInputs {
  const graph::MarketGraph* graph = nullptr;
  std::span<const std::uint32_t> network_of;
  std::span<const double> risk;
  const Succession* succession = nullptr;
  std::span<const NetworkHistory> previous_history;
  std::span<const std::uint32_t> previous_network_of;  // the previous run's, per its entity
  std::span<const ChangeRow> changes;
  tables::Day as_of = 0, previous_as_of = 0;
  double min_risk = 0.2;
  ChangeOptions change_options;
};

std::vector<Alert> network_alerts(const AlertInputs& in, const AlertOptions& options);

}  // namespace sourcetrace::risk
