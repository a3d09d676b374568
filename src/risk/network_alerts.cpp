// Network alerts: new and growing suspect networks, new evidence, and fresh entities joining them.
#include "sourcetrace/risk/network_alerts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <unordered_map>

#include "sourcetrace/tables/fields.hpp"

namespace sourcetrace::risk {

namespace {

constexpr std::array<std::string_view, 5> kAlertNames = {"early_warning", "new_network", "grown", "risk_rose",
                                                         "new_evidence"};

}  // namespace

Status validate(const AlertOptions& o) {
  if (o.fresh_days < 0 || o.fresh_days > 3650) {
    return Status::invalid_argument(fmt::format("[alerts] fresh_days = {}: must be 0 to 3650", o.fresh_days));
  }
  if (!(o.risk_rise > 0 && o.risk_rise <= 1)) {
    return Status::invalid_argument(fmt::format("[alerts] risk_rise = {}: must be in (0, 1]", o.risk_rise));
  }
  return Status::ok();
}

std::string_view alert_kind_name(AlertKind kind) { return kAlertNames[static_cast<int>(kind)]; }

std::vector<Alert> network_alerts(const AlertInputs& in, const AlertOptions& o) {
  const Succession& s = *in.succession;
  const graph::MarketGraph& g = *in.graph;
  const std::string since = tables::format_date(in.previous_as_of);
  std::unordered_map<NetworkId, std::uint32_t> tonight;  // id → tonight's network
  for (std::uint32_t b = 0; b < s.networks.size(); ++b) tonight[s.networks[b].id] = b;
  // Per tonight's network: members, and members new to the market.
  std::vector<std::uint32_t> members(s.networks.size(), 0), arrived(s.networks.size(), 0);
  for (std::uint32_t v = 0; v < in.network_of.size(); ++v) {
    ++members[in.network_of[v]];
    arrived[in.network_of[v]] += s.previous_entity[v] == Succession::kNone;
  }

  std::vector<Alert> alerts;
  for (const ChangeRow& row : in.changes) {
    const auto it = tonight.find(row.id);
    if (it == tonight.end() || row.risk_after < in.min_risk) continue;  // gone, or absorbed tonight
    const std::uint32_t b = it->second;
    auto raise = [&](AlertKind kind, std::string reason) {
      alerts.push_back({kind, row.id, Alert::kNoEntity, row.risk_after, std::move(reason)});
    };
    if (s.continues[b] == Succession::kNone) {
      // A part split from a known network, or known ones merged, is no new network.
      if (row.change == NetworkChange::kNew) {
        raise(AlertKind::kNewNetwork,
              fmt::format("a new network of {} members at risk {:.2f}", row.members_after, row.risk_after));
      }
      continue;
    }
    // Growth is entities new to the market joining, not members the cut
    // moved from one network to another.
    if (arrived[b] > 0 && arrived[b] >= row.members_before * in.change_options.grown) {
      raise(AlertKind::kGrown, fmt::format("{} new to the market joined since {} ({} members, {} before)",
                                           arrived[b] == 1 ? std::string("1 entity") : fmt::format("{} entities", arrived[b]),
                                           since, row.members_after, row.members_before));
    }
    if (row.risk_after - row.risk_before >= o.risk_rise) {
      raise(AlertKind::kRiskRose, fmt::format("risk rose from {:.2f} to {:.2f} since {}", row.risk_before,
                                              row.risk_after, since));
    }
    if (row.new_evidence > 0) {
      raise(AlertKind::kNewEvidence, fmt::format("{} new evidence row{} since {}", row.new_evidence,
                                                 row.new_evidence == 1 ? "" : "s", since));
    }
  }

  // Early warnings: fresh sellers and accounts, no evidence of their own,
  // that joined a suspect network tonight.
  std::vector<bool> has_evidence(g.num_entities(), false);
  for (std::size_t i = 0; i < g.evidence.size(); ++i) {
    if (g.evidence.day[i] <= in.as_of) has_evidence[g.evidence.entity[i]] = true;
  }
  for (graph::VertexId v = 0; v < g.num_entities(); ++v) {
    const EntityKind kind = g.kind(v);
    const tables::Day opened = g.created_on[v];
    if (kind != EntityKind::kSeller && kind != EntityKind::kAccount) continue;
    if (opened == tables::kNoDay || opened > in.as_of || in.as_of - opened > o.fresh_days || has_evidence[v]) continue;
    const std::uint32_t b = in.network_of[v];
    if (in.risk[b] < in.min_risk) continue;
    const NetworkId id = s.networks[b].id;
    const std::uint32_t u = s.previous_entity[v];
    if (u != Succession::kNone && in.previous_history[in.previous_network_of[u]].id == id) continue;  // no news
    alerts.push_back({AlertKind::kEarlyWarning, id, v, in.risk[b],
                      fmt::format("{} {} opened {} ({} days before {}), with no evidence of its own, joined {} "
                                  "(risk {:.2f}, {} members)",
                                  entity_kind_name(kind), g.key(v), tables::format_date(opened), in.as_of - opened,
                                  tables::format_date(in.as_of), network_id_text(id), in.risk[b], members[b])});
  }

  std::sort(alerts.begin(), alerts.end(), [&](const Alert& x, const Alert& y) {
    if (x.risk != y.risk) return x.risk > y.risk;
    if (x.kind != y.kind) return x.kind < y.kind;
    if (x.network != y.network) return x.network < y.network;
    if (x.entity == y.entity) return false;
    if (x.entity == Alert::kNoEntity || y.entity == Alert::kNoEntity) return x.entity == Alert::kNoEntity;
    return std::pair(g.kind(x.entity), g.key(x.entity)) < std::pair(g.kind(y.entity), g.key(y.entity));
  });
  return alerts;
}

}  // namespace sourcetrace::risk
