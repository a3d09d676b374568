// Where each planted ring went (see explain.hpp).
#include "sourcetrace/evaluation/explain.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
#include <unordered_map>

#include "sourcetrace/community/community_file.hpp"
#include "sourcetrace/risk/lineage_file.hpp"
#include "sourcetrace/risk/network_id.hpp"
#include "sourcetrace/risk/risk_file.hpp"
#include "sourcetrace/store/graph_file.hpp"

namespace sourcetrace::evaluation {

namespace {

using risk::Role;
constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

constexpr std::string_view kFateNames[kRingFates] = {"found",          "merged",      "split",
                                                     "below_min_risk", "not_cut_out", "scattered"};

// At least half of the ring: what "holds it" means at every stage.
bool holds(std::uint64_t shared, std::uint64_t ring_size) { return 2 * shared >= ring_size; }

// Per group of a labelling (exported networks, cut networks, communities):
// its size, its legitimate entities and how many rings it touches.
struct Groups {
  std::vector<std::uint64_t> size, legit;
  std::vector<std::vector<std::uint32_t>> rings;  // ring indices, sorted, distinct

  explicit Groups(std::size_t n) : size(n), legit(n), rings(n) {}
  void add(std::uint32_t group, std::int64_t ring) {
    ++size[group];
    if (ring < 0) {
      ++legit[group];
    } else {
      rings[group].push_back(static_cast<std::uint32_t>(ring));
    }
  }
  void finish() {
    for (auto& r : rings) {
      std::sort(r.begin(), r.end());
      r.erase(std::unique(r.begin(), r.end()), r.end());
    }
  }
  RingPiece piece(std::uint32_t group, std::string name, std::uint64_t shared) const {
    RingPiece p;
    p.name = std::move(name);
    p.shared = shared;
    p.size = size[group];
    p.legit = legit[group];
    p.other_rings = rings[group].size() - (shared > 0 ? 1 : 0);
    return p;
  }
};

// How many of a ring's entities each group holds, largest first (ties: the
// lower group).
std::vector<std::pair<std::uint32_t, std::uint64_t>> count_by_group(const std::vector<std::uint32_t>& labels) {
  std::map<std::uint32_t, std::uint64_t> counts;
  for (std::uint32_t l : labels) {
    if (l != kNone) ++counts[l];
  }
  std::vector<std::pair<std::uint32_t, std::uint64_t>> out(counts.begin(), counts.end());
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

std::string what_network(const NetworkExplanation& n) {
  if (n.ring_members > 0 && holds(n.ring_members, n.members)) {
    return fmt::format("part of ring {} ({} of its members are that ring's)", n.largest_ring, n.largest_ring_members);
  }
  const auto& g = n.legit_by_group;
  const std::uint64_t legit = n.members - n.ring_members;
  std::string what;
  if (g[static_cast<int>(LookAlike::kHub)] > 0) {
    what = "hub community";
  } else if (legit > 0 && holds(g[static_cast<int>(LookAlike::kMultiStore)], legit)) {
    what = "legitimate multi-store business";
  } else if (legit > 0 && holds(g[static_cast<int>(LookAlike::kFranchise)], legit)) {
    what = "franchise";
  } else {
    what = "legitimate sellers";
  }
  if (n.ring_members > 0) what += fmt::format(" with {} ring entities", n.ring_members);
  return what;
}

}  // namespace

std::string_view ring_fate_name(RingFate fate) { return kFateNames[static_cast<int>(fate)]; }

Result<RunInternals> read_run_internals(const std::string& run_dir) {
  namespace fs = std::filesystem;
  const std::string graph_path = (fs::path(run_dir) / "graph.h5").string();
  const std::string communities_path = (fs::path(run_dir) / "communities.h5").string();
  const std::string risk_path = (fs::path(run_dir) / "risk.h5").string();
  const std::string lineage_path = (fs::path(run_dir) / "lineage.h5").string();
  for (const std::string& p : {graph_path, communities_path, risk_path, lineage_path}) {
    if (!fs::exists(p)) {
      return Status::missing_input(p + ": no such file (eval --explain needs a run folder of `sourcetrace run`)");
    }
  }
  auto graph = store::read_graph_entities(graph_path);
  if (!graph.is_ok()) return graph.status();
  auto detected = community::read_communities_file(communities_path);
  if (!detected.is_ok()) return detected.status();
  auto scored = risk::read_risk_file(risk_path);
  if (!scored.is_ok()) return scored.status();
  auto tracked = risk::read_lineage_file(lineage_path);
  if (!tracked.is_ok()) return tracked.status();
  const graph::MarketGraph& g = graph.value();
  const auto& membership = detected.value().hierarchy.back().partition.membership;
  const risk::RiskRecord& r = scored.value();
  const std::size_t n = g.num_entities();
  if (membership.size() != n || r.network.size() != n || tracked.value().networks.size() != r.networks.size()) {
    return Status::invalid_input(fmt::format("{}: graph.h5, communities.h5, risk.h5 and lineage.h5 are not from the same run "
                                             "({}, {} and {} entities)",
                                             run_dir, n, membership.size(), r.network.size()));
  }
  RunInternals in;
  in.entity.resize(n);
  in.has_evidence.resize(n);
  for (graph::VertexId v = 0; v < n; ++v) {
    in.entity[v] = {g.kind(v), std::string(g.key(v))};
    in.has_evidence[v] = r.scores.positive[v] > 0 || r.scores.negative[v] > 0;
  }
  in.community.assign(membership.begin(), membership.end());
  in.network = r.network;
  const std::size_t networks = r.networks.size();
  in.network_risk.resize(networks);
  in.network_name.resize(networks);
  in.network_is_rest.assign(networks, true);
  for (std::size_t k = 0; k < networks; ++k) {
    in.network_risk[k] = r.networks[k].risk;
    in.network_name[k] = risk::network_id_text(tracked.value().networks[k].id);
  }
  for (std::size_t v = 0; v < n; ++v) {
    if (r.roles[v] != Role::kLegit) in.network_is_rest[in.network[v]] = false;
  }
  return in;
}

Explanation explain(const TruthIndex& truth, const std::vector<OutputNetwork>& exported,
                    const RunInternals& in) {
  // Rings by id, and each truth entity's ring index (-1: legitimate).
  std::map<std::string_view, std::uint32_t> ring_index;
  for (const TruthEntry& e : truth.entries()) {
    if (!e.ring.empty()) ring_index.emplace(e.ring, 0);
  }
  std::vector<std::string_view> ring_ids;
  for (auto& [id, index] : ring_index) {
    index = static_cast<std::uint32_t>(ring_ids.size());
    ring_ids.push_back(id);
  }
  auto ring_of = [&](const EntityKey& key) -> std::int64_t {
    const TruthEntry* e = truth.find(key);
    if (e == nullptr || e->ring.empty()) return -1;
    return static_cast<std::int64_t>(ring_index.at(e->ring));
  };

  // Exported networks: membership by key, and their groups.
  std::unordered_map<EntityKey, std::uint32_t, EntityKeyHash> exported_of;
  Groups exported_groups(exported.size());
  std::unordered_map<std::string_view, std::uint32_t> exported_by_name;
  for (std::uint32_t k = 0; k < exported.size(); ++k) {
    exported_by_name.emplace(exported[k].network, k);
    for (const EntityKey& m : exported[k].members) {
      exported_of.emplace(m, k);
      exported_groups.add(k, ring_of(m));
    }
  }
  exported_groups.finish();

  // Cut networks and communities of the run, over its entities.
  std::unordered_map<EntityKey, std::uint32_t, EntityKeyHash> vertex_of;
  vertex_of.reserve(in.entity.size());
  std::uint32_t communities = 0;
  for (std::uint32_t v = 0; v < in.entity.size(); ++v) {
    vertex_of.emplace(in.entity[v], v);
    communities = std::max(communities, in.community[v] + 1);
  }
  Groups network_groups(in.network_name.size()), community_groups(communities);
  for (std::uint32_t v = 0; v < in.entity.size(); ++v) {
    const std::int64_t ring = ring_of(in.entity[v]);
    network_groups.add(in.network[v], ring);
    community_groups.add(in.community[v], ring);
  }
  network_groups.finish();
  community_groups.finish();
  std::vector<bool> network_exported(in.network_name.size(), false);
  for (std::uint32_t k = 0; k < in.network_name.size(); ++k) {
    network_exported[k] = exported_by_name.count(in.network_name[k]) > 0;
  }

  // Each ring's entities, in truth order.
  std::vector<std::vector<const TruthEntry*>> ring_entries(ring_ids.size());
  for (const TruthEntry& e : truth.entries()) {
    if (!e.ring.empty()) ring_entries[ring_index.at(e.ring)].push_back(&e);
  }

  Explanation out;
  std::vector<bool> matches_ring(exported.size(), false);
  for (std::uint32_t r = 0; r < ring_ids.size(); ++r) {
    RingExplanation x;
    x.ring = std::string(ring_ids[r]);
    x.entities = ring_entries[r].size();
    std::vector<std::uint32_t> in_exported, in_network, in_community;
    for (const TruthEntry* e : ring_entries[r]) {
      if (e->role == Role::kStorefront && e->entity.kind == EntityKind::kSeller) ++x.storefronts;
      auto ex = exported_of.find(e->entity);
      in_exported.push_back(ex == exported_of.end() ? kNone : ex->second);
      auto v = vertex_of.find(e->entity);
      if (v == vertex_of.end()) {
        in_network.push_back(kNone);
        in_community.push_back(kNone);
        continue;
      }
      if (in.has_evidence[v->second]) ++x.with_evidence;
      in_network.push_back(in.network[v->second]);
      in_community.push_back(in.community[v->second]);
    }

    const auto by_exported = count_by_group(in_exported);
    std::uint32_t best = kNone;
    for (const auto& [k, shared] : by_exported) {
      const double j = jaccard(shared, x.entities, exported_groups.size[k]);
      if (j > x.best_jaccard) {
        x.best_jaccard = j;
        best = k;
      }
    }
    std::uint64_t exported_total = 0;
    for (const auto& piece : by_exported) exported_total += piece.second;
    auto exported_piece = [&](std::uint32_t k, std::uint64_t shared) {
      RingPiece p = exported_groups.piece(k, exported[k].network, shared);
      p.exported = true;
      return p;
    };

    const auto by_network = count_by_group(in_network);
    const auto by_community = count_by_group(in_community);
    auto held_cut_network = [&]() -> const std::pair<std::uint32_t, std::uint64_t>* {
      for (const auto& piece : by_network) {
        if (!holds(piece.second, x.entities)) break;
        if (!in.network_is_rest[piece.first]) return &piece;
      }
      return nullptr;
    };

    if (x.best_jaccard >= kRingFoundJaccard) {
      x.fate = RingFate::kFound;
      const auto shared = std::find_if(by_exported.begin(), by_exported.end(),
                                       [&](const auto& p) { return p.first == best; })->second;
      x.piece = exported_piece(best, shared);
      x.pieces = by_exported.size();
      matches_ring[best] = true;
    } else if (!by_exported.empty() && holds(by_exported.front().second, x.entities)) {
      x.fate = RingFate::kMerged;
      x.piece = exported_piece(by_exported.front().first, by_exported.front().second);
      x.pieces = by_exported.size();
    } else if (holds(exported_total, x.entities)) {
      x.fate = RingFate::kSplit;
      x.piece = exported_piece(by_exported.front().first, by_exported.front().second);
      x.pieces = by_exported.size();
    } else if (const auto* cut = held_cut_network()) {
      x.fate = RingFate::kBelowMinRisk;
      x.piece = network_groups.piece(cut->first, in.network_name[cut->first], cut->second);
      x.piece.risk = in.network_risk[cut->first];
      x.piece.exported = network_exported[cut->first];
      x.pieces = by_network.size();
    } else if (!by_community.empty() && holds(by_community.front().second, x.entities)) {
      x.fate = RingFate::kNotCutOut;
      const std::uint32_t c = by_community.front().first;
      x.piece = community_groups.piece(c, fmt::format("community {}", c), by_community.front().second);
      // Where the ring's entities in that community went: the community's
      // rest, or how many cut networks.
      std::vector<std::uint32_t> networks_here;
      for (std::size_t i = 0; i < in_community.size(); ++i) {
        if (in_community[i] != c) continue;
        if (in.network_is_rest[in_network[i]]) {
          ++x.in_rest;
        } else {
          networks_here.push_back(in_network[i]);
        }
      }
      x.pieces = count_by_group(networks_here).size();
    } else {
      x.fate = RingFate::kScattered;
      if (!by_community.empty()) {
        const std::uint32_t c = by_community.front().first;
        x.piece = community_groups.piece(c, fmt::format("community {}", c), by_community.front().second);
      }
      x.pieces = by_community.size();
    }
    ++out.fates[static_cast<int>(x.fate)];
    out.rings.push_back(std::move(x));
  }

  // The networks members precision takes that match no ring.
  std::uint64_t ring_entities = 0;
  for (const auto& entries : ring_entries) ring_entities += entries.size();
  out.networks_taken = networks_taken(exported, ring_entities);
  for (std::uint32_t k = 0; k < out.networks_taken; ++k) {
    if (matches_ring[k]) continue;
    NetworkExplanation n;
    n.network = exported[k].network;
    n.rank = k + 1;
    n.members = exported[k].members.size();
    std::map<std::string_view, std::uint64_t> per_ring;
    for (const EntityKey& m : exported[k].members) {
      const TruthEntry* e = truth.find(m);
      if (e != nullptr && !e->ring.empty()) {
        ++per_ring[e->ring];
      } else {
        ++n.legit_by_group[static_cast<int>(e == nullptr ? LookAlike::kNone : e->group)];
      }
    }
    for (const auto& [ring, count] : per_ring) {
      n.ring_members += count;
      if (count > n.largest_ring_members) {
        n.largest_ring_members = count;
        n.largest_ring = std::string(ring);
      }
    }
    n.rings = per_ring.size();
    n.what = what_network(n);
    out.networks.push_back(std::move(n));
  }
  return out;
}

std::string format_explanation(const Explanation& e) {
  std::string out = fmt::format("rings: {}", e.rings.size());
  for (int f = 0; f < kRingFates; ++f) out += fmt::format("{} {} {}", f == 0 ? " —" : ",", kFateNames[f], e.fates[f]);
  out += '\n';
  for (const RingExplanation& r : e.rings) {
    const RingPiece& p = r.piece;
    out += fmt::format("{} ({} entities, {} storefronts, {} with evidence): {}", r.ring, r.entities, r.storefronts,
                       r.with_evidence, kFateNames[static_cast<int>(r.fate)]);
    const std::string crowd =
        fmt::format("{} entities: {} of the ring, {} legitimate, {} other ring{}", p.size, p.shared, p.legit,
                    p.other_rings, p.other_rings == 1 ? "" : "s");
    switch (r.fate) {
      case RingFate::kFound:
        out += fmt::format(" as {} (Jaccard {:.2f}; {})", p.name, r.best_jaccard, crowd);
        break;
      case RingFate::kMerged:
        out += fmt::format(" into {} ({}; Jaccard {:.2f})", p.name, crowd, r.best_jaccard);
        break;
      case RingFate::kSplit:
        out += fmt::format(" into {} exported networks; the largest, {}, holds {} of {}", r.pieces, p.name, p.shared,
                           r.entities);
        break;
      case RingFate::kBelowMinRisk:
        out += fmt::format(": {} holds {} of {} ({}) at risk {:.3f}", p.name, p.shared, r.entities, crowd, p.risk);
        break;
      case RingFate::kNotCutOut:
        out += fmt::format(": {} holds {} of {} ({}); {} of them in its rest, the others in {} cut network{}", p.name,
                           p.shared, r.entities, crowd, r.in_rest, r.pieces, r.pieces == 1 ? "" : "s");
        break;
      case RingFate::kScattered:
        out += fmt::format(" over {} communities; the largest piece, in {}, holds {} of {}", r.pieces, p.name, p.shared,
                           r.entities);
        break;
    }
    if (r.fate != RingFate::kFound && r.best_jaccard > 0) {
      out += fmt::format("; best exported overlap Jaccard {:.2f}", r.best_jaccard);
    }
    out += '\n';
  }
  out += fmt::format("networks taken for members precision that match no ring: {} of {}\n", e.networks.size(),
                     e.networks_taken);
  for (const NetworkExplanation& n : e.networks) {
    const auto& g = n.legit_by_group;
    out += fmt::format("{} (rank {}, {} members: {} of {} ring{}, {} legitimate — {} hub, {} multi_store, {} franchise): {}\n",
                       n.network, n.rank, n.members, n.ring_members, n.rings, n.rings == 1 ? "" : "s",
                       n.members - n.ring_members, g[static_cast<int>(LookAlike::kHub)],
                       g[static_cast<int>(LookAlike::kMultiStore)], g[static_cast<int>(LookAlike::kFranchise)], n.what);
  }
  return out;
}

}  // namespace sourcetrace::evaluation
