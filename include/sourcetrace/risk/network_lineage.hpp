// Network lineage: which of last night's networks each of tonight's
// networks continues, so that a network keeps its id from run to run and
// an investigator's notes on N3f9a… still point at the ring a week later.
//
// Runs form a chain: the first run of a chain mints an id for every
// network; each later run (`run --previous`) matches its networks against
// the previous run's by the entities they share (by kind and identifier,
// as the marketplace names them), weighing members by what they tell
// about a ring: an evidence-bearing member or a source, distributor or
// collector counts more than a storefront, which rings open and burn by
// the dozen. With W(X) the weight of a set and shared weights taken as
// the smaller of the two nights' (weighted Jaccard J = W(a∩b) / W(a∪b)):
//
//   - an old network a's successor is tonight's network holding the
//     largest weight of a's members (ties: the earlier network index);
//     it keeps a's id when J(a, successor) >= min_overlap;
//   - a merge: several old networks keep onto one network; the oldest id
//     (first seen earliest, then the smallest) stays, the others are
//     recorded as merged into it, as is an old network that kept no id but
//     put at least half its weight into one network;
//   - a split: a network that got no old id but takes at least half its
//     weight from an old network that kept its id elsewhere split from it;
//   - every other network is new, and gets an id minted with the chain's
//     key and night (risk/network_id.hpp) that the chain never gave
//     before: an id is never reused, even for a ring that comes back.
// Each network records the night it was first seen and its lineage (the
// splits and merges that made it, oldest first, carried along with the id).
//
// Pure functions of their inputs: the same two runs give the same ids on
// any machine, thread count or rank count.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sourcetrace/graph/key_index.hpp"
#include "sourcetrace/risk/network_id.hpp"
#include "sourcetrace/risk/role.hpp"
#include "sourcetrace/status.hpp"
#include "sourcetrace/tables/contract.hpp"

namespace sourcetrace::risk {

// [continuity] of a job file.
struct LineageOptions {
  // Weighted Jaccard an old network needs with its successor to keep its id.
  double min_overlap = 0.4;
  // What a member weighs, by role hint; a member with positive evidence
  // weighs at least `evidence`.
  double source = 3, distributor = 3, storefront = 1, collector = 2, legit = 0.5;
  double evidence = 3;
};

Status validate(const LineageOptions& options);

// Each entity's weight: its role's, raised to `evidence` where it carries
// positive evidence.
std::vector<double> member_weights(std::span<const Role> roles, std::span<const double> positive,
                                   const LineageOptions& options);

// One run's networks as lineage reads them (borrowed, not owned).
struct NightNetworks {
  const graph::KeyIndex::Blob* entities = nullptr;  // graph.h5's entity keys
  std::span<const std::uint32_t> network_of;        // risk.h5: each entity's network
  std::span<const double> weight;                   // member_weights()
  std::size_t num_networks = 0;
};

// Stored in lineage.h5: never renumber, only append.
enum class LineageEvent : std::uint8_t { kSplitFrom, kMergedFrom };
std::string_view lineage_event_name(LineageEvent event);  // "split_from", "merged_from"

struct LineageEntry {
  LineageEvent event = LineageEvent::kSplitFrom;
  NetworkId other = 0;
  tables::Day day = 0;  // the as-of date of the run where it happened
  bool operator==(const LineageEntry&) const = default;
};

struct NetworkHistory {
  NetworkId id = 0;
  tables::Day first_seen = 0;          // the as-of date of the run that minted the id
  std::vector<LineageEntry> lineage;   // oldest first
};

// A lineage as networks.csv and the service show it, oldest first:
// "split_from:N…@2026-11-30;merged_from:N…@2026-12-01", naming only the
// networks `shown` lets the viewer see.
std::string lineage_text(std::span<const LineageEntry> lineage, const std::function<bool(NetworkId)>& shown);

// What a run carries of the chain it belongs to.
struct RunChain {
  std::string key;                // 32 hex digits, fixed by the chain's first run
  std::uint64_t night = 0;        // 0 for the chain's first run
  std::vector<NetworkId> issued;  // every id the chain has given, sorted
};

// How last night's network went.
enum class Fate : std::uint8_t { kKept, kMerged, kGone };

struct Succession {
  RunChain chain;
  std::vector<NetworkHistory> networks;  // per tonight's network
  static constexpr std::uint32_t kNone = UINT32_MAX;
  // Per tonight's network: the previous network whose id it kept (kNone).
  std::vector<std::uint32_t> continues;
  // Per previous network: its fate, and tonight's network that kept its
  // id or absorbed it (kNone when gone).
  std::vector<Fate> fate;
  std::vector<std::uint32_t> successor;
  // Per tonight's entity: the same entity (kind and identifier) in the
  // previous run, or kNone (new tonight; all kNone on a chain's first run).
  std::vector<std::uint32_t> previous_entity;
};

// The first run of a chain: every network gets a new id. `chain_key`
// identifies the chain (the track stage derives it from the run's inputs).
Succession start_chain(const NightNetworks& tonight, std::string_view chain_key, tables::Day as_of);

// A later run: tonight's networks matched against the previous run's
// (`previous_history` per previous network, `previous_chain` its chain).
// REQUIRES: previous_history.size() == previous.num_networks.
Succession continue_chain(const NightNetworks& previous, std::span<const NetworkHistory> previous_history,
                          const RunChain& previous_chain, const NightNetworks& tonight, tables::Day as_of,
                          const LineageOptions& options);

}  // namespace sourcetrace::risk
