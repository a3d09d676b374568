// Network risk: how likely a community is a counterfeit supply network,
// in [0, 1], honest about how much is known.
//
// Two parts, multiplied:
//
// evidence  How much more evidence the network carries per seller than the
//           market as a whole, with shrinkage: the rate is a posterior mean
//           (positive evidence + prior_sellers × market rate) / (sellers +
//           prior_sellers), so two sellers with one report do not look
//           certain and one report among thousands does not look like a
//           ring. Each entity's evidence counts net of its own genuine
//           test-buys (a genuine buy clears the reports on the seller it was
//           made on, not its ring mates: counterfeiters sell some real
//           stock). Lift = that rate / the market rate; evidence risk =
//           1 − 1 / lift (0 at or below the market's rate, toward 1 as the
//           lift grows).
// structure A ring is organised: goods flow in from its own sources, money
//           out to its own accounts, and its storefronts share identifiers
//           of common control. Measured as the mean, over the channels the
//           network has at all, of the share of goods reaching its sellers
//           from member distributors fed by the network's own sources (a
//           source counts by the share of its output that stays in the
//           network: a wholesaler serving the whole market is not a ring's
//           factory), the share of its sellers' money (through their
//           payout accounts, risk/payout_accounts.hpp) that reaches member
//           accounts, and its sellers' identifier ties to each other (each
//           seller by its strongest link type's [combine] weight, relative
//           to the strongest type's). A network the data show only through
//           identifiers and reports is judged on those; a lone seller with
//           a wrong takedown has nothing that ties it to anyone and keeps
//           `structure_floor` of its evidence risk.
//
// openness  A ring hides common control: its storefronts share identifiers
//           with a few mates each. A legitimate business runs its stores
//           openly under one identity, every store sharing address and bank
//           account with every other. Openness rises from 0, at
//           `open_density` of the seller pairs linked, to 1 when every pair
//           is (networks of `open_sellers` sellers or more).
//
// risk = evidence risk × (structure_floor + (1 − structure_floor) × structure)
//        × (1 − openness).
// Each network also gets a reason in words.
#pragma once

#include <array>
#include <span>
#include <string>
#include <vector>

#include "sourcetrace/community/partition.hpp"
#include "sourcetrace/graph/combined_graph.hpp"
#include "sourcetrace/graph/market_graph.hpp"
#include "sourcetrace/risk/evidence_score.hpp"
#include "sourcetrace/risk/role.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::risk {

struct NetworkRiskOptions {
  // Pseudo-sellers at the market's evidence rate added to every network.
  double prior_sellers = 50.0;
  // Share of the evidence risk kept by a network with no supply structure.
  double structure_floor = 0.3;
  // Openness starts above this share of seller pairs linked, in networks
  // of at least open_sellers sellers.
  double open_density = 0.5;
  double open_sellers = 5;
  // How much each link type ties two sellers ([combine]'s link weights).
  std::array<double, graph::kLinkTypes> link_weight = graph::CombineOptions{}.link_weight;
};

Status validate(const NetworkRiskOptions& options);

struct NetworkRisk {
  community::CommunityId community = 0;
  double risk = 0, evidence_risk = 0, structure = 0, openness = 0;
  std::uint32_t members = 0, sellers = 0, warehouses = 0, accounts = 0;
  std::uint32_t reports = 0;  // evidence rows on members, as of the run date
  std::uint32_t sources = 0, distributors = 0, storefronts = 0, collectors = 0;
  double positive = 0, negative = 0;  // decayed evidence mass: net of each entity's genuine test-buys, and those
  std::string reason;
};

// One entry per community, in community order. `payout_of`: the payout
// accounts' sellers (payout_owners), on this partition or a coarser one.
std::vector<NetworkRisk> assess_networks(const graph::MarketGraph& graph,
                                         const community::Partition& partition,
                                         const EvidenceScores& scores, const std::vector<Role>& roles,
                                         std::span<const graph::VertexId> payout_of,
                                         const NetworkRiskOptions& options);

// Digest (32 hex digits) of the networks' risks: what the targets stage
// records to say which scoring it ranked.
std::string risk_digest(const std::vector<NetworkRisk>& networks);

}  // namespace sourcetrace::risk
