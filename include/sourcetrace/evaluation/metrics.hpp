// How well a batch run's exports find a generated market's planted rings:
// the metrics of `sourcetrace eval`, as pure functions on in-memory inputs.
//
// The inputs are plain values (truth entries, networks in the order the run
// ranked them, targets in rank order, shipment edges with units) so that a
// test can state a case by hand and know every answer; run_outputs.hpp reads
// them from files. A ratio whose denominator is zero (no ring in the truth,
// no counterfeit unit shipped) has no value: it is nullopt, never a made-up
// 0 or 1, so that a reader of the figures cannot mistake "nothing to find"
// for "found everything".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sourcetrace/entity.hpp"
#include "sourcetrace/risk/role.hpp"

namespace sourcetrace::evaluation {

// An entity as the tables name it: an identifier is unique within its kind.
struct EntityKey {
  EntityKind kind = EntityKind::kSeller;
  std::string id;
  friend bool operator==(const EntityKey&, const EntityKey&) = default;
};

struct EntityKeyHash {
  std::size_t operator()(const EntityKey& key) const;
};

// truth.csv's optional `group` column: which kind of legitimate look-alike
// a legitimate entity belongs to (docs/tables.md), so that an explanation
// can say what a network that is not a ring is.
enum class LookAlike : std::uint8_t { kNone, kMultiStore, kFranchise, kHub };
std::string_view look_alike_name(LookAlike group);  // "", "multi_store", "franchise", "hub"
std::optional<LookAlike> parse_look_alike(std::string_view name);

// One row of truth.csv: `ring` is empty exactly for legitimate entities.
// `fresh` marks a fresh ring entity (ring set) or a fresh control (ring
// empty): the optional `fresh` column.
struct TruthEntry {
  EntityKey entity;
  std::string ring;
  risk::Role role = risk::Role::kLegit;
  LookAlike group = LookAlike::kNone;
  bool fresh = false;
};

// The truth, looked up by entity. When an entity is listed twice the first
// listing stands (the reader refuses such a file anyway).
class TruthIndex {
 public:
  explicit TruthIndex(std::vector<TruthEntry> entries);
  const std::vector<TruthEntry>& entries() const { return entries_; }
  const TruthEntry* find(const EntityKey& entity) const;
  // Legit when the truth does not list the entity: an output may name
  // entities that the truth never heard of, and they are not ring members.
  risk::Role role_of(const EntityKey& entity) const;

 private:
  std::vector<TruthEntry> entries_;
  std::unordered_map<EntityKey, std::size_t, EntityKeyHash> position_;
};

// One suspected network of networks.csv with its members from members.csv.
struct OutputNetwork {
  std::string network;
  std::vector<EntityKey> members;
};

// One shipments row, or several between the same two places added up.
struct ShipmentEdge {
  EntityKey origin, destination;
  double units = 0;
};

// Members precision and recall at the truth's ring size: networks are taken
// best first until they hold at least as many entities as the truth has ring
// entities; the network that crosses that budget counts whole.
// How many of `networks` (best first) members precision takes: until they
// hold at least `ring_entities` entities, the one crossing it included.
std::size_t networks_taken(const std::vector<OutputNetwork>& networks, std::uint64_t ring_entities);

struct MembersScore {
  std::optional<double> precision;  // ring entities taken / members taken
  std::optional<double> recall;     // ring entities taken / ring entities
  std::uint64_t networks_taken = 0;
  std::uint64_t members_taken = 0;
  std::uint64_t ring_members_taken = 0;
  std::uint64_t ring_entities = 0;
};
MembersScore score_members(const TruthIndex& truth, const std::vector<OutputNetwork>& networks);

// Per planted ring, the best Jaccard overlap between its entities and one
// network's members; the mean over rings and the share of rings whose best
// overlap is at least kRingFoundJaccard.
inline constexpr double kRingFoundJaccard = 0.5;
// |A ∩ B| / |A ∪ B| of two sets of sizes a and b sharing `shared` (0 for two empty sets).
double jaccard(std::uint64_t shared, std::uint64_t a, std::uint64_t b);
struct RingOverlap {
  std::optional<double> mean_jaccard;
  std::optional<double> rings_found;
  std::uint64_t rings = 0;
};
RingOverlap score_ring_overlap(const TruthIndex& truth, const std::vector<OutputNetwork>& networks);

// Precision@k of the target list, k being the number of sources,
// distributors and collectors in the truth: the entities whose removal hurts
// a ring. A list shorter than k misses the rest.
struct TargetsScore {
  std::optional<double> precision;
  std::uint64_t k = 0;
  std::uint64_t hits = 0;
};
TargetsScore score_targets(const TruthIndex& truth, const std::vector<EntityKey>& targets);

// The share of counterfeit units (shipped from a ring distributor to a ring
// storefront) that removing the first ks targets cuts off, ks being the
// number of sources and distributors in the truth. A unit is cut when its
// storefront or its distributor is removed, or when every source that ships
// to its distributor is; a distributor that no source ships to is cut only
// by removing it or the storefront.
struct SupplyCut {
  std::optional<double> share;  // nullopt: no counterfeit unit was shipped
  std::uint64_t ks = 0;
  double counterfeit_units = 0;
  double cut_units = 0;
};
SupplyCut score_supply_cut(const TruthIndex& truth, const std::vector<EntityKey>& targets,
                           const std::vector<ShipmentEdge>& shipments);

// The proactive catch: of the fresh ring entities (re-registered
// storefronts and their payout accounts, no evidence yet), the share among
// the members that members precision takes; and the same share of the
// fresh controls (new legitimate sellers linked to older ones), which a
// method that pulls in every new linked seller would also catch. nullopt
// when the truth marks none.
struct FreshCatch {
  std::optional<double> caught, controls_caught;
  std::uint64_t fresh_ring_entities = 0, fresh_ring_caught = 0;
  std::uint64_t controls = 0, controls_taken = 0;
};
FreshCatch score_fresh(const TruthIndex& truth, const std::vector<OutputNetwork>& networks);

// All five.
struct Evaluation {
  MembersScore members;
  RingOverlap rings;
  TargetsScore targets;
  SupplyCut supply;
  FreshCatch fresh;
};
Evaluation evaluate(const TruthIndex& truth, const std::vector<OutputNetwork>& networks,
                    const std::vector<EntityKey>& targets, const std::vector<ShipmentEdge>& shipments);

}  // namespace sourcetrace::evaluation
