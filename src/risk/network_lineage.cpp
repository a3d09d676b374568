// Network lineage: tonight's networks matched to last night's by their shared, weighted members.
#include "sourcetrace/risk/network_lineage.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "sourcetrace/tables/fields.hpp"

namespace sourcetrace::risk {

namespace {

constexpr std::uint32_t kNone = Succession::kNone;

// Weight both nights' networks share, per (old, new) pair that shares any.
struct Overlap {
  std::uint32_t previous, tonight;
  double weight;
};

// Each tonight's entity's previous self (kNone when new).
std::vector<std::uint32_t> match_entities(const NightNetworks& previous, const NightNetworks& tonight) {
  static_assert(kNone == graph::KeyIndex::kAbsent);
  std::vector<std::uint32_t> match = graph::find_keys(graph::KeyIndex::from(*previous.entities), *tonight.entities);
  for (std::uint32_t& u : match) {
    if (u >= previous.network_of.size()) u = kNone;
  }
  return match;
}

std::vector<Overlap> overlaps(const NightNetworks& previous, const NightNetworks& tonight,
                              std::span<const std::uint32_t> match) {
  std::unordered_map<std::uint64_t, double> shared;
  for (std::uint32_t v = 0; v < tonight.network_of.size(); ++v) {
    const std::uint32_t u = match[v];
    if (u == kNone) continue;
    const std::uint64_t pair = std::uint64_t{previous.network_of[u]} << 32 | tonight.network_of[v];
    shared[pair] += std::min(previous.weight[u], tonight.weight[v]);
  }
  std::vector<Overlap> out;
  out.reserve(shared.size());
  for (const auto& [pair, weight] : shared) {
    out.push_back({static_cast<std::uint32_t>(pair >> 32), static_cast<std::uint32_t>(pair), weight});
  }
  std::sort(out.begin(), out.end(), [](const Overlap& a, const Overlap& b) {
    return a.previous != b.previous ? a.previous < b.previous : a.tonight < b.tonight;
  });
  return out;
}

std::vector<double> network_weights(const NightNetworks& night) {
  std::vector<double> w(night.num_networks, 0.0);
  for (std::size_t v = 0; v < night.network_of.size(); ++v) w[night.network_of[v]] += night.weight[v];
  return w;
}

// New ids for the networks that kept none, in anchor order, none of them
// one the chain gave before.
void mint_new_ids(const NightNetworks& tonight, Succession& s) {
  const std::vector<std::string> anchors = network_anchors(*tonight.entities, tonight.network_of, tonight.num_networks);
  std::vector<std::uint32_t> fresh;
  std::vector<std::string> fresh_anchors;
  for (std::uint32_t b = 0; b < tonight.num_networks; ++b) {
    if (s.continues[b] == kNone) {
      fresh.push_back(b);
      fresh_anchors.push_back(anchors[b]);
    }
  }
  const std::string salt = fmt::format("{}:{}", s.chain.key, s.chain.night);
  const std::vector<NetworkId> ids = network_ids_of_anchors(
      fresh_anchors, [&](std::string_view anchor, std::uint64_t seed) { return anchor_hash(anchor, seed, salt); },
      s.chain.issued);
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    s.networks[fresh[i]].id = ids[i];
    s.chain.issued.push_back(ids[i]);
  }
  std::sort(s.chain.issued.begin(), s.chain.issued.end());
}

}  // namespace

Status validate(const LineageOptions& o) {
  if (!(o.min_overlap > 0 && o.min_overlap <= 1)) {
    return Status::invalid_argument(fmt::format("[continuity] min_overlap = {}: must be in (0, 1]", o.min_overlap));
  }
  for (auto [value, name] : {std::pair{o.source, "source"}, {o.distributor, "distributor"},
                             {o.storefront, "storefront"}, {o.collector, "collector"}, {o.legit, "legit"},
                             {o.evidence, "evidence"}}) {
    if (!(value > 0 && std::isfinite(value))) {
      return Status::invalid_argument(fmt::format("[continuity] {} = {}: a member's weight must be above 0", name, value));
    }
  }
  return Status::ok();
}

std::vector<double> member_weights(std::span<const Role> roles, std::span<const double> positive,
                                   const LineageOptions& o) {
  std::vector<double> w(roles.size());
  for (std::size_t v = 0; v < roles.size(); ++v) {
    switch (roles[v]) {
      case Role::kSource: w[v] = o.source; break;
      case Role::kDistributor: w[v] = o.distributor; break;
      case Role::kStorefront: w[v] = o.storefront; break;
      case Role::kCollector: w[v] = o.collector; break;
      case Role::kLegit: w[v] = o.legit; break;
    }
    if (v < positive.size() && positive[v] > 0) w[v] = std::max(w[v], o.evidence);
  }
  return w;
}

std::string_view lineage_event_name(LineageEvent event) {
  return event == LineageEvent::kSplitFrom ? "split_from" : "merged_from";
}

std::string lineage_text(std::span<const LineageEntry> lineage, const std::function<bool(NetworkId)>& shown) {
  std::string text;
  for (const LineageEntry& e : lineage) {
    if (!shown(e.other)) continue;
    text += fmt::format("{}{}:{}@{}", text.empty() ? "" : ";", lineage_event_name(e.event), network_id_text(e.other),
                        tables::format_date(e.day));
  }
  return text;
}

Succession start_chain(const NightNetworks& tonight, std::string_view chain_key, tables::Day as_of) {
  Succession s;
  s.chain.key = std::string(chain_key);
  s.networks.resize(tonight.num_networks);
  for (NetworkHistory& h : s.networks) h.first_seen = as_of;
  s.continues.assign(tonight.num_networks, kNone);
  s.previous_entity.assign(tonight.network_of.size(), kNone);
  mint_new_ids(tonight, s);
  return s;
}

Succession continue_chain(const NightNetworks& previous, std::span<const NetworkHistory> previous_history,
                          const RunChain& previous_chain, const NightNetworks& tonight, tables::Day as_of,
                          const LineageOptions& options) {
  Succession s;
  s.chain = previous_chain;
  s.chain.night = previous_chain.night + 1;
  s.networks.resize(tonight.num_networks);
  s.continues.assign(tonight.num_networks, kNone);
  s.fate.assign(previous.num_networks, Fate::kGone);
  s.successor.assign(previous.num_networks, kNone);

  s.previous_entity = match_entities(previous, tonight);
  const std::vector<Overlap> shared = overlaps(previous, tonight, s.previous_entity);
  const std::vector<double> w_before = network_weights(previous), w_tonight = network_weights(tonight);

  // Each old network's successor (the largest shared weight, ties to the
  // earlier network: pairs are sorted), and each new network's largest
  // contributor.
  std::vector<std::uint32_t> best_tonight(previous.num_networks, kNone), best_before(tonight.num_networks, kNone);
  std::vector<double> best_weight(previous.num_networks, 0.0), contributed(tonight.num_networks, 0.0);
  for (const Overlap& o : shared) {
    if (o.weight > best_weight[o.previous]) {
      best_weight[o.previous] = o.weight;
      best_tonight[o.previous] = o.tonight;
    }
    if (o.weight > contributed[o.tonight]) {
      contributed[o.tonight] = o.weight;
      best_before[o.tonight] = o.previous;
    }
  }

  // Claims: old networks close enough to their successor to keep their id.
  std::vector<std::vector<std::uint32_t>> claims(tonight.num_networks);
  for (std::uint32_t a = 0; a < previous.num_networks; ++a) {
    const std::uint32_t b = best_tonight[a];
    if (b == kNone) continue;
    const double jaccard = best_weight[a] / (w_before[a] + w_tonight[b] - best_weight[a]);
    if (jaccard >= options.min_overlap) claims[b].push_back(a);
  }
  // Per new network, the entries tonight adds to its lineage.
  std::vector<std::vector<LineageEntry>> added(tonight.num_networks);
  for (std::uint32_t b = 0; b < tonight.num_networks; ++b) {
    if (claims[b].empty()) continue;
    // A merge keeps the oldest id: first seen earliest, then the smallest.
    const std::uint32_t keeper = *std::min_element(claims[b].begin(), claims[b].end(), [&](std::uint32_t x, std::uint32_t y) {
      const NetworkHistory &hx = previous_history[x], &hy = previous_history[y];
      return hx.first_seen != hy.first_seen ? hx.first_seen < hy.first_seen : hx.id < hy.id;
    });
    s.continues[b] = keeper;
    s.fate[keeper] = Fate::kKept;
    s.successor[keeper] = b;
    s.networks[b] = previous_history[keeper];
    for (std::uint32_t a : claims[b]) {
      if (a == keeper) continue;
      s.fate[a] = Fate::kMerged;
      s.successor[a] = b;
      added[b].push_back({LineageEvent::kMergedFrom, previous_history[a].id, as_of});
    }
  }
  // An old network that kept no id but went mostly into one network merged into it.
  for (std::uint32_t a = 0; a < previous.num_networks; ++a) {
    const std::uint32_t b = best_tonight[a];
    if (s.fate[a] != Fate::kGone || b == kNone || !(best_weight[a] >= 0.5 * w_before[a])) continue;
    s.fate[a] = Fate::kMerged;
    s.successor[a] = b;
    added[b].push_back({LineageEvent::kMergedFrom, previous_history[a].id, as_of});
  }
  // A new network made mostly of an old one that kept its id elsewhere split from it.
  for (std::uint32_t b = 0; b < tonight.num_networks; ++b) {
    const std::uint32_t a = best_before[b];
    if (s.continues[b] != kNone || a == kNone || s.fate[a] != Fate::kKept) continue;
    if (contributed[b] >= 0.5 * w_tonight[b]) added[b].push_back({LineageEvent::kSplitFrom, previous_history[a].id, as_of});
  }

  for (std::uint32_t b = 0; b < tonight.num_networks; ++b) {
    NetworkHistory& h = s.networks[b];
    if (s.continues[b] == kNone) h.first_seen = as_of;
    std::sort(added[b].begin(), added[b].end(), [](const LineageEntry& x, const LineageEntry& y) {
      return x.event != y.event ? x.event < y.event : x.other < y.other;
    });
    h.lineage.insert(h.lineage.end(), added[b].begin(), added[b].end());
  }
  mint_new_ids(tonight, s);
  return s;
}

}  // namespace sourcetrace::risk
