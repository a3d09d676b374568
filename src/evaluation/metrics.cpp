// The metrics of `sourcetrace eval`: members precision/recall, ring Jaccard,
// targets precision@k and supply cut@ks (see metrics.hpp).
#include "sourcetrace/evaluation/metrics.hpp"

#include <algorithm>
#include <functional>
#include <string_view>
#include <unordered_set>

namespace sourcetrace::evaluation {

using risk::Role;

std::size_t EntityKeyHash::operator()(const EntityKey& key) const {
  // The kind goes into the hash so that seller S1 and warehouse S1, which
  // are different entities, do not always collide.
  const std::size_t h = std::hash<std::string_view>{}(key.id);
  return h ^ (static_cast<std::size_t>(key.kind) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2));
}

namespace {
constexpr std::string_view kLookAlikeNames[] = {"", "multi_store", "franchise", "hub"};
}  // namespace

std::string_view look_alike_name(LookAlike group) { return kLookAlikeNames[static_cast<int>(group)]; }

std::optional<LookAlike> parse_look_alike(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kLookAlikeNames); ++i) {
    if (kLookAlikeNames[i] == name) return static_cast<LookAlike>(i);
  }
  return std::nullopt;
}

TruthIndex::TruthIndex(std::vector<TruthEntry> entries) : entries_(std::move(entries)) {
  position_.reserve(entries_.size());
  for (std::size_t i = 0; i < entries_.size(); ++i) position_.emplace(entries_[i].entity, i);
}

const TruthEntry* TruthIndex::find(const EntityKey& entity) const {
  auto it = position_.find(entity);
  return it == position_.end() ? nullptr : &entries_[it->second];
}

Role TruthIndex::role_of(const EntityKey& entity) const {
  const TruthEntry* e = find(entity);
  return e ? e->role : Role::kLegit;
}

namespace {

bool in_ring(const TruthIndex& truth, const EntityKey& entity) {
  const TruthEntry* e = truth.find(entity);
  return e && !e->ring.empty();
}

std::optional<double> share(double part, double whole) {
  if (whole <= 0) return std::nullopt;
  return part / whole;
}

using EntitySet = std::unordered_set<EntityKey, EntityKeyHash>;

}  // namespace

std::size_t networks_taken(const std::vector<OutputNetwork>& networks, std::uint64_t ring_entities) {
  std::size_t taken = 0;
  std::uint64_t members = 0;
  while (taken < networks.size() && members < ring_entities) members += networks[taken++].members.size();
  return taken;
}

namespace {

std::uint64_t count_ring_entities(const TruthIndex& truth) {
  return static_cast<std::uint64_t>(std::count_if(truth.entries().begin(), truth.entries().end(),
                                                  [](const TruthEntry& e) { return !e.ring.empty(); }));
}

}  // namespace

double jaccard(std::uint64_t shared, std::uint64_t a, std::uint64_t b) {
  const auto either = static_cast<double>(a + b - shared);
  return either > 0 ? static_cast<double>(shared) / either : 0.0;
}

MembersScore score_members(const TruthIndex& truth, const std::vector<OutputNetwork>& networks) {
  MembersScore s;
  s.ring_entities = count_ring_entities(truth);
  s.networks_taken = networks_taken(networks, s.ring_entities);
  for (std::size_t i = 0; i < s.networks_taken; ++i) {
    s.members_taken += networks[i].members.size();
    for (const EntityKey& m : networks[i].members) {
      if (in_ring(truth, m)) ++s.ring_members_taken;
    }
  }
  s.precision = share(static_cast<double>(s.ring_members_taken), static_cast<double>(s.members_taken));
  s.recall = share(static_cast<double>(s.ring_members_taken), static_cast<double>(s.ring_entities));
  return s;
}

RingOverlap score_ring_overlap(const TruthIndex& truth, const std::vector<OutputNetwork>& networks) {
  std::unordered_map<EntityKey, std::size_t, EntityKeyHash> network_of;
  for (std::size_t n = 0; n < networks.size(); ++n) {
    for (const EntityKey& m : networks[n].members) network_of.emplace(m, n);
  }
  std::unordered_map<std::string_view, std::vector<const EntityKey*>> rings;
  for (const TruthEntry& e : truth.entries()) {
    if (!e.ring.empty()) rings[e.ring].push_back(&e.entity);
  }

  RingOverlap r;
  r.rings = rings.size();
  double sum = 0;
  std::uint64_t found = 0;
  std::unordered_map<std::size_t, std::uint64_t> shared;  // network → ring members in it
  for (const auto& [ring, members] : rings) {
    shared.clear();
    for (const EntityKey* m : members) {
      auto it = network_of.find(*m);
      if (it != network_of.end()) ++shared[it->second];
    }
    double best = 0;
    for (const auto& [n, inter] : shared) {
      best = std::max(best, jaccard(inter, members.size(), networks[n].members.size()));
    }
    sum += best;
    if (best >= kRingFoundJaccard) ++found;
  }
  r.mean_jaccard = share(sum, static_cast<double>(r.rings));
  r.rings_found = share(static_cast<double>(found), static_cast<double>(r.rings));
  return r;
}

TargetsScore score_targets(const TruthIndex& truth, const std::vector<EntityKey>& targets) {
  auto worth_removing = [](Role role) {
    return role == Role::kSource || role == Role::kDistributor || role == Role::kCollector;
  };
  TargetsScore s;
  for (const TruthEntry& e : truth.entries()) {
    if (worth_removing(e.role)) ++s.k;
  }
  const std::size_t looked_at = std::min<std::size_t>(targets.size(), s.k);
  for (std::size_t i = 0; i < looked_at; ++i) {
    if (worth_removing(truth.role_of(targets[i]))) ++s.hits;
  }
  s.precision = share(static_cast<double>(s.hits), static_cast<double>(s.k));
  return s;
}

SupplyCut score_supply_cut(const TruthIndex& truth, const std::vector<EntityKey>& targets,
                           const std::vector<ShipmentEdge>& shipments) {
  SupplyCut s;
  for (const TruthEntry& e : truth.entries()) {
    if (e.role == Role::kSource || e.role == Role::kDistributor) ++s.ks;
  }
  EntitySet removed;
  for (std::size_t i = 0; i < std::min<std::size_t>(targets.size(), s.ks); ++i) removed.insert(targets[i]);
  auto is_removed = [&](const EntityKey& e) { return removed.count(e) > 0; };

  // A distributor is starved when it has sources and all of them are
  // removed; one source left standing keeps it supplied.
  struct Feeding {
    bool has_source = false;
    bool all_removed = true;
  };
  std::unordered_map<EntityKey, Feeding, EntityKeyHash> feeding;
  for (const ShipmentEdge& e : shipments) {
    if (truth.role_of(e.origin) != Role::kSource || truth.role_of(e.destination) != Role::kDistributor) continue;
    Feeding& f = feeding[e.destination];
    f.has_source = true;
    if (!is_removed(e.origin)) f.all_removed = false;
  }
  auto starved = [&](const EntityKey& distributor) {
    auto it = feeding.find(distributor);
    return it != feeding.end() && it->second.has_source && it->second.all_removed;
  };

  for (const ShipmentEdge& e : shipments) {
    if (truth.role_of(e.origin) != Role::kDistributor || truth.role_of(e.destination) != Role::kStorefront) continue;
    s.counterfeit_units += e.units;
    if (is_removed(e.destination) || is_removed(e.origin) || starved(e.origin)) s.cut_units += e.units;
  }
  s.share = share(s.cut_units, s.counterfeit_units);
  return s;
}

FreshCatch score_fresh(const TruthIndex& truth, const std::vector<OutputNetwork>& networks) {
  FreshCatch s;
  const std::size_t taken = networks_taken(networks, count_ring_entities(truth));
  for (std::size_t i = 0; i < taken; ++i) {
    for (const EntityKey& m : networks[i].members) {
      const TruthEntry* e = truth.find(m);
      if (e == nullptr || !e->fresh) continue;
      ++(e->ring.empty() ? s.controls_taken : s.fresh_ring_caught);
    }
  }
  for (const TruthEntry& e : truth.entries()) {
    if (e.fresh) ++(e.ring.empty() ? s.controls : s.fresh_ring_entities);
  }
  s.caught = share(static_cast<double>(s.fresh_ring_caught), static_cast<double>(s.fresh_ring_entities));
  s.controls_caught = share(static_cast<double>(s.controls_taken), static_cast<double>(s.controls));
  return s;
}

Evaluation evaluate(const TruthIndex& truth, const std::vector<OutputNetwork>& networks,
                    const std::vector<EntityKey>& targets, const std::vector<ShipmentEdge>& shipments) {
  return {score_members(truth, networks), score_ring_overlap(truth, networks), score_targets(truth, targets),
          score_supply_cut(truth, targets, shipments), score_fresh(truth, networks)};
}

}  // namespace sourcetrace::evaluation
