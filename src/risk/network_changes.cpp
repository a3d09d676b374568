// Network changes: each suspected network's fate since the previous run, from the lineage.
#include "sourcetrace/risk/network_changes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <unordered_map>

namespace sourcetrace::risk {

namespace {

constexpr std::array<std::string_view, 7> kChangeNames = {"new",   "grown",  "shrunk", "unchanged",
                                                          "split", "merged", "gone"};

// The entries tonight added to network b's lineage (those after what it carried in).
std::span<const LineageEntry> added_tonight(const Succession& s, std::span<const NetworkHistory> previous_history,
                                            std::uint32_t b) {
  const std::vector<LineageEntry>& all = s.networks[b].lineage;
  const std::size_t carried = s.continues[b] == Succession::kNone ? 0 : previous_history[s.continues[b]].lineage.size();
  return std::span<const LineageEntry>(all).subspan(std::min(carried, all.size()));
}

}  // namespace

Status validate(const ChangeOptions& o) {
  for (auto [value, name] : {std::pair{o.grown, "grown"}, {o.shrunk, "shrunk"}}) {
    if (!(value > 0 && value < 1)) {
      return Status::invalid_argument(fmt::format("[changes] {} = {}: a share of the members, in (0, 1)", name, value));
    }
  }
  return Status::ok();
}

std::string_view network_change_name(NetworkChange change) { return kChangeNames[static_cast<int>(change)]; }

std::vector<ChangeRow> network_changes(const Succession& s, std::span<const NetworkHistory> previous_history,
                                       std::span<const NetworkState> before, std::span<const NetworkState> after,
                                       std::span<const std::uint32_t> new_evidence, double min_risk,
                                       const ChangeOptions& options) {
  // Old ids that parts split from tonight, and the parts' ids.
  std::unordered_map<NetworkId, std::vector<NetworkId>> parts;
  for (std::uint32_t b = 0; b < s.networks.size(); ++b) {
    for (const LineageEntry& e : added_tonight(s, previous_history, b)) {
      if (e.event == LineageEvent::kSplitFrom) parts[e.other].push_back(s.networks[b].id);
    }
  }
  std::vector<ChangeRow> rows;
  for (std::uint32_t b = 0; b < s.networks.size(); ++b) {
    const std::uint32_t a = s.continues[b];
    const bool suspect = after[b].risk >= min_risk || (a != Succession::kNone && before[a].risk >= min_risk);
    if (!suspect) continue;
    ChangeRow row;
    row.id = s.networks[b].id;
    row.members_after = after[b].members;
    row.risk_after = after[b].risk;
    row.new_evidence = new_evidence[b];
    if (a != Succession::kNone) {
      row.members_before = before[a].members;
      row.risk_before = before[a].risk;
    }
    std::vector<NetworkId> merged, split_from;
    for (const LineageEntry& e : added_tonight(s, previous_history, b)) {
      (e.event == LineageEvent::kMergedFrom ? merged : split_from).push_back(e.other);
    }
    if (!merged.empty()) {
      row.change = NetworkChange::kMerged;
      row.others = merged;
    } else if (!split_from.empty()) {
      row.change = NetworkChange::kSplit;
      row.others = split_from;
    } else if (a == Succession::kNone) {
      row.change = NetworkChange::kNew;
    } else if (auto it = parts.find(row.id); it != parts.end()) {
      row.change = NetworkChange::kSplit;
      row.others = it->second;
    } else {
      const double m0 = row.members_before, m1 = row.members_after;
      row.change = m1 >= m0 * (1 + options.grown) && m1 > m0   ? NetworkChange::kGrown
                   : m1 <= m0 * (1 - options.shrunk) && m1 < m0 ? NetworkChange::kShrunk
                                                                : NetworkChange::kUnchanged;
    }
    rows.push_back(std::move(row));
  }
  // Last night's ids that end tonight.
  for (std::uint32_t a = 0; a < s.fate.size(); ++a) {
    if (s.fate[a] == Fate::kKept || before[a].risk < min_risk) continue;
    ChangeRow row;
    row.id = previous_history[a].id;
    row.members_before = before[a].members;
    row.risk_before = before[a].risk;
    if (s.fate[a] == Fate::kMerged) {
      const std::uint32_t b = s.successor[a];
      row.change = NetworkChange::kMerged;
      row.others = {s.networks[b].id};
      row.members_after = after[b].members;
      row.risk_after = after[b].risk;
      row.new_evidence = new_evidence[b];
    } else {
      row.change = NetworkChange::kGone;
    }
    rows.push_back(std::move(row));
  }
  for (ChangeRow& row : rows) std::sort(row.others.begin(), row.others.end());
  std::sort(rows.begin(), rows.end(), [](const ChangeRow& x, const ChangeRow& y) {
    const double rx = std::max(x.risk_before, x.risk_after), ry = std::max(y.risk_before, y.risk_after);
    return rx != ry ? rx > ry : x.id < y.id;
  });
  return rows;
}

}  // namespace sourcetrace::risk
