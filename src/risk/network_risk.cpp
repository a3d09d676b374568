// Network risk: shrunk evidence lift × supply structure.
#include "sourcetrace/risk/network_risk.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "sourcetrace/risk/payout_accounts.hpp"
#include "sourcetrace/tables/digest.hpp"

namespace sourcetrace::risk {

using graph::VertexId;

Status validate(const NetworkRiskOptions& o) {
  if (!(o.prior_sellers > 0)) return Status::invalid_argument("prior_sellers must be > 0");
  if (!(o.structure_floor >= 0 && o.structure_floor <= 1)) {
    return Status::invalid_argument("structure_floor must be in [0, 1]");
  }
  if (!(o.open_density >= 0 && o.open_density < 1)) return Status::invalid_argument("open_density must be in [0, 1)");
  if (!(o.open_sellers >= 2)) return Status::invalid_argument("open_sellers must be at least 2");
  return Status::ok();
}

namespace {

// Per network, what its structure is measured from: goods into member
// sellers (all, and from member distributors fed by member sources),
// money out of member sellers and their payout accounts (all, and to
// member accounts), and the member sellers' identifier ties to each other.
struct Flows {
  double goods_in = 0, goods_from_chain = 0, money_out = 0, money_to_members = 0;
  double sellers = 0, tied_sellers = 0;  // tied: weighted by the strongest link type to another member seller
  double linked_pairs = 0;               // pairs of member sellers sharing identifiers, each by its strongest type
  bool linked = false;                   // some member seller has a seller link at all
};

std::vector<Flows> supply_flows(const graph::MarketGraph& g, const community::Partition& p,
                                const std::vector<Role>& roles, std::span<const VertexId> payout_of,
                                const NetworkRiskOptions& o) {
  std::vector<Flows> flows(p.num_communities);
  const auto& c = p.membership;
  const VertexId n = g.num_entities();
  if (const graph::Layer* s = g.layer("shipment"); s && s->directed) {
    const graph::Csr& f = s->flow.csr;
    // A source is the network's own when its output stays in the network: a
    // wholesaler that also ships to hubs and shops all over the market is a
    // legitimate business's supplier, even if it feeds this one too.
    std::vector<double> exclusive(n, 0.0);
    for (VertexId u = 0; u < n; ++u) {
      if (roles[u] != Role::kSource) continue;
      double total = 0, inside = 0;
      for (std::size_t k = 0; k < f.degree(u); ++k) {
        total += f.neighbour_weights(u)[k];
        if (c[f.neighbours(u)[k]] == c[u]) inside += f.neighbour_weights(u)[k];
      }
      exclusive[u] = total > 0 ? inside / total : 0.0;
    }
    // A distributor is part of a chain as far as its member sources are the
    // network's own (units-weighted).
    std::vector<double> fed_units(n, 0.0), fed_own(n, 0.0);
    for (VertexId u = 0; u < n; ++u) {
      if (roles[u] != Role::kSource) continue;
      for (std::size_t k = 0; k < f.degree(u); ++k) {
        const VertexId v = f.neighbours(u)[k];
        if (c[v] != c[u]) continue;
        fed_units[v] += f.neighbour_weights(u)[k];
        fed_own[v] += f.neighbour_weights(u)[k] * exclusive[u];
      }
    }
    for (VertexId u = 0; u < n; ++u) {
      for (std::size_t k = 0; k < f.degree(u); ++k) {
        const VertexId v = f.neighbours(u)[k];
        if (g.kind(v) != EntityKind::kSeller) continue;
        const double units = f.neighbour_weights(u)[k];
        flows[c[v]].goods_in += units;
        if (c[u] == c[v] && roles[u] == Role::kDistributor && fed_units[u] > 0) {
          flows[c[v]].goods_from_chain += units * fed_own[u] / fed_units[u];
        }
      }
    }
  }
  // Money: a member seller's, and its payout accounts' (payments into those
  // left out: they are the seller's own), to member accounts.
  if (const graph::Layer* pay = g.layer("payment"); pay && pay->directed) {
    const graph::Csr& f = pay->flow.csr;
    for (VertexId u = 0; u < n; ++u) {
      const VertexId seller = g.kind(u) == EntityKind::kSeller ? u : payout_of[u];
      if (seller == kNoSeller || c[seller] != c[u]) continue;
      for (std::size_t k = 0; k < f.degree(u); ++k) {
        const VertexId v = f.neighbours(u)[k];
        if (payout_of[v] == seller) continue;
        const double amount = f.neighbour_weights(u)[k];
        flows[c[u]].money_out += amount;
        if (c[v] == c[u] && g.kind(v) == EntityKind::kAccount) flows[c[u]].money_to_members += amount;
      }
    }
  }
  // Identifiers: each member seller by its strongest link type to another.
  double strongest_type = 0;
  for (double w : o.link_weight) strongest_type = std::max(strongest_type, w);
  const graph::Layer* links = g.layer("seller");
  for (VertexId u = 0; u < n; ++u) {
    if (g.kind(u) != EntityKind::kSeller) continue;
    Flows& fl = flows[c[u]];
    fl.sellers += 1;
    if (links == nullptr || links->adjacency.csr.degree(u) == 0) continue;
    fl.linked = true;
    const graph::Csr& a = links->adjacency.csr;
    double tie = 0;
    for (std::size_t k = 0; k < a.degree(u); ++k) {
      if (c[a.neighbours(u)[k]] != c[u]) continue;
      double pair = 1;  // the pair's strongest link type, relative to the strongest type
      const auto types = links->link_events_of(a.offsets[u] + k);
      if (!types.empty() && strongest_type > 0) {
        pair = 0;
        for (std::size_t t = 0; t < graph::kLinkTypes; ++t) {
          if (types[t] > 0) pair = std::max(pair, o.link_weight[t] / strongest_type);
        }
      }
      tie = std::max(tie, pair);
      if (a.neighbours(u)[k] > u) fl.linked_pairs += pair;
    }
    fl.tied_sellers += tie;
  }
  return flows;
}

// How openly a network's sellers share identifiers, in [0, 1]: 0 up to
// open_density of its seller pairs linked, 1 when every pair is (each pair
// by its strongest link type's weight relative to the strongest type's:
// sellers who merely reviewed or copied the same products are not one
// business). A ring
// hides its common control, so its storefronts share identifiers sparsely
// (each with a few mates); a business that runs several stores runs them
// under one identity, every store sharing its address and bank account with
// every other. Counted from open_sellers sellers on: in a smaller group any
// few links make most pairs.
double openness_of(const Flows& f, const NetworkRiskOptions& o) {
  if (f.sellers < o.open_sellers) return 0.0;
  const double density = f.linked_pairs / (f.sellers * (f.sellers - 1) / 2);
  return std::clamp((density - o.open_density) / (1.0 - o.open_density), 0.0, 1.0);
}

// The structure in [0, 1]: the mean of what the data show of it — the
// share of goods from the network's own chain, of money to its own
// accounts, of sellers tied by identifiers — over the channels the network
// has at all. A network seen only through identifiers and reports is
// judged on its identifiers; a lone seller, on nothing that ties it to
// anyone.
double structure_of(const Flows& f) {
  double sum = 0;
  int seen = 0;
  if (f.goods_in > 0) sum += f.goods_from_chain / f.goods_in, ++seen;
  if (f.money_out > 0) sum += f.money_to_members / f.money_out, ++seen;
  if (f.linked && f.sellers > 0) sum += f.tied_sellers / f.sellers, ++seen;
  return seen > 0 ? sum / seen : 0.0;
}

std::string describe(const NetworkRisk& r, double lift) {
  std::string reason;
  if (r.reports == 0) {
    reason = "no evidence";
  } else {
    reason = fmt::format("{} report{} on {} member{} ({:.1f}x the market's rate per seller)", r.reports,
                         r.reports == 1 ? "" : "s", r.members, r.members == 1 ? "" : "s", lift);
  }
  if (r.sources + r.distributors > 0) {
    reason += fmt::format("; goods from {} source{} through {} distributor{} to {} storefront{}", r.sources,
                          r.sources == 1 ? "" : "s", r.distributors, r.distributors == 1 ? "" : "s",
                          r.storefronts, r.storefronts == 1 ? "" : "s");
  } else {
    reason += "; no supply chain inside";
  }
  if (r.collectors > 0) {
    reason += fmt::format("; money to {} collector{}", r.collectors, r.collectors == 1 ? "" : "s");
  }
  if (r.openness > 0) reason += fmt::format("; its sellers share identifiers openly (openness {:.2f})", r.openness);
  return reason;
}

}  // namespace

std::vector<NetworkRisk> assess_networks(const graph::MarketGraph& g, const community::Partition& p,
                                         const EvidenceScores& scores, const std::vector<Role>& roles,
                                         std::span<const VertexId> payout_of, const NetworkRiskOptions& o) {
  std::vector<NetworkRisk> out(p.num_communities);
  for (community::CommunityId c = 0; c < p.num_communities; ++c) out[c].community = c;
  double market_positive = 0;
  std::uint64_t market_sellers = 0;
  for (VertexId v = 0; v < g.num_entities(); ++v) {
    NetworkRisk& r = out[p.membership[v]];
    ++r.members;
    switch (g.kind(v)) {
      case EntityKind::kSeller: ++r.sellers; ++market_sellers; break;
      case EntityKind::kWarehouse: ++r.warehouses; break;
      case EntityKind::kAccount: ++r.accounts; break;
      default: break;
    }
    switch (roles[v]) {
      case Role::kSource: ++r.sources; break;
      case Role::kDistributor: ++r.distributors; break;
      case Role::kStorefront: r.storefronts += g.kind(v) == EntityKind::kSeller; break;
      case Role::kCollector: ++r.collectors; break;
      case Role::kLegit: break;
    }
    // A genuine test-buy clears the reports on the entity it was made on,
    // not a storefront's neighbours: counterfeiters sell some real stock.
    const double net = std::max(0.0, scores.positive[v] - scores.negative[v]);
    r.positive += net;
    r.negative += scores.negative[v];
    market_positive += net;
  }
  for (std::size_t i = 0; i < g.evidence.size(); ++i) {
    if (g.evidence.day[i] <= scores.as_of) ++out[p.membership[g.evidence.entity[i]]].reports;
  }

  const std::vector<Flows> flows = supply_flows(g, p, roles, payout_of, o);
  const double sellers = std::max<double>(1.0, static_cast<double>(market_sellers));
  const double base_rate = market_positive / sellers;
  for (NetworkRisk& r : out) {
    double lift = 0;
    if (base_rate > 0) {
      const double k = static_cast<double>(r.sellers) + o.prior_sellers;
      lift = (r.positive + o.prior_sellers * base_rate) / k / base_rate;
    }
    r.evidence_risk = lift > 1 ? 1.0 - 1.0 / lift : 0.0;
    r.structure = structure_of(flows[r.community]);
    r.openness = openness_of(flows[r.community], o);
    r.risk = r.evidence_risk * (o.structure_floor + (1.0 - o.structure_floor) * r.structure) * (1.0 - r.openness);
    r.reason = describe(r, lift);
  }
  return out;
}

std::string risk_digest(const std::vector<NetworkRisk>& networks) {
  std::string bytes;
  for (const NetworkRisk& n : networks) bytes += fmt::format("{:.17g};", n.risk);
  return tables::digest_of(bytes).hex();
}

}  // namespace sourcetrace::risk
