// Where each planted ring went, stage by stage: `sourcetrace eval --explain`.
//
// The metrics say how much of the truth a run found; an explanation says
// where the rest was lost, so that a method is judged by its failures and
// not only by a mean. A ring passes through detection (a community holds
// it), the cut (a network is cut out of the community: a supply line, or
// the community's rest of unhinted members), the score (the network reaches
// the export's minimum risk) and the export. Its fate is the first stage
// at which it no longer stands as one piece:
//
//   found           an exported network matches it (Jaccard >= 0.5)
//   merged          one exported network holds at least half of it, but with
//                   so many others that the overlap is below 0.5
//   split           exported networks hold at least half of it, none alone
//   below_min_risk  a cut network holds at least half of it, not exported
//   not_cut_out     a community holds at least half of it, but no cut
//                   network does (it sits in the community's rest or in
//                   small pieces)
//   scattered       no community holds half of it
//
// And each exported network that matches no ring is named for what it is,
// from the truth's `group` column: a fragment of a ring, a hub community, a
// legitimate multi-store business, a franchise, or plain legitimate sellers.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sourcetrace/evaluation/metrics.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::evaluation {

// What a run computed before it exported: per entity of graph.h5 (vertex
// order) its key, final community, network and whether it carries
// evidence; per network of risk.h5 its name, risk and whether it is a
// community's rest (no member has a role hint).
struct RunInternals {
  std::vector<EntityKey> entity;
  std::vector<std::uint32_t> community, network;
  std::vector<bool> has_evidence;
  std::vector<std::string> network_name;
  std::vector<double> network_risk;
  std::vector<bool> network_is_rest;
};

// Reads RUN_DIR/graph.h5, communities.h5 and risk.h5 (a run folder of
// `sourcetrace run`); a missing file is kMissingInput naming it.
Result<RunInternals> read_run_internals(const std::string& run_dir);

enum class RingFate : std::uint8_t { kFound, kMerged, kSplit, kBelowMinRisk, kNotCutOut, kScattered };
inline constexpr int kRingFates = 6;
std::string_view ring_fate_name(RingFate fate);  // "found", "merged", ...

// A piece of a ring: how much of it one network or community holds.
struct RingPiece {
  std::string name;             // network name, or "community N"
  std::uint64_t shared = 0;     // ring entities in it
  std::uint64_t size = 0;       // all its entities
  std::uint64_t legit = 0;      // legitimate entities in it
  std::uint64_t other_rings = 0;  // rings other than this one with entities in it
  double risk = 0;              // networks only
  bool exported = false, rest = false;
};

struct RingExplanation {
  std::string ring;
  std::uint64_t entities = 0, storefronts = 0, with_evidence = 0;
  RingFate fate = RingFate::kScattered;
  double best_jaccard = 0;  // with an exported network
  // The piece that decided the fate (the matching, merging or holding
  // network, or the holding community), and how many pieces the ring is in
  // at the fate's stage.
  RingPiece piece;
  std::uint64_t pieces = 0;
  std::uint64_t in_rest = 0;  // not_cut_out: ring entities in the community's rest
};

// An exported network among those members precision takes that matches
// no ring.
struct NetworkExplanation {
  std::string network;
  std::uint64_t rank = 0, members = 0, ring_members = 0, rings = 0;
  std::string largest_ring;            // the ring with most members in it
  std::uint64_t largest_ring_members = 0;
  std::array<std::uint64_t, 4> legit_by_group{};  // indexed by LookAlike
  std::string what;                    // "hub community", "legitimate multi-store business", ...
};

struct Explanation {
  std::vector<RingExplanation> rings;  // in ring id order
  std::array<std::uint64_t, kRingFates> fates{};
  std::vector<NetworkExplanation> networks;
  std::uint64_t networks_taken = 0;
};

// `exported` in networks.csv order; `internals` of the same run.
Explanation explain(const TruthIndex& truth, const std::vector<OutputNetwork>& exported,
                    const RunInternals& internals);

// The explanation as lines a user reads: one per ring, then one per
// network that is not a ring.
std::string format_explanation(const Explanation& explanation);

}  // namespace sourcetrace::evaluation
