// Network cut: grow each community's network from its evidence along the
// ties that vouch for membership (see network_cut.hpp).
#include "sourcetrace/risk/network_cut.hpp"

#include "sourcetrace/risk/payout_accounts.hpp"

#include <algorithm>
#include <map>
#include <vector>

namespace sourcetrace::risk {

using graph::Csr;
using graph::VertexId;

Status validate(const NetworkCutOptions& o) {
  for (double share : {o.main_share, o.hub_share, o.exclusive_share, o.payout_share}) {
    if (!(share > 0 && share <= 1)) return Status::invalid_argument("network cut shares must be in (0, 1]");
  }
  if (o.join_ties < 1) return Status::invalid_argument("join_ties must be at least 1");
  return Status::ok();
}

namespace {

// The goods, money and identifier ties of every entity, both ways, read
// once from the layers.
struct Ties {
  const graph::MarketGraph& g;
  const Csr& ship;       // origin → destination, units
  Csr ship_in;           // destination → origin
  const Csr& stock;      // seller — warehouse, units (symmetric)
  const Csr& pay;        // payer → payee, amount
  Csr pay_in;            // payee → payer
  const Csr& links;      // seller — seller (symmetric)
  const graph::Layer* link_layer;  // its link types, when known
  std::vector<double> goods_in, goods_out, money_in, money_out;
  std::span<const VertexId> payout_of;  // account → the seller it is the payout account of, or kNoSeller

  Ties(const graph::MarketGraph& graph, std::span<const VertexId> payouts)
      : g(graph),
        ship(graph.flow_csr("shipment")),
        ship_in(graph::transposed(ship, graph.num_entities())),
        stock(graph.adjacency_csr("warehouse")),
        pay(graph.flow_csr("payment")),
        pay_in(graph::transposed(pay, graph.num_entities())),
        links(graph.adjacency_csr("seller")),
        link_layer(graph.layer("seller")),
        payout_of(payouts) {
    const VertexId n = graph.num_entities();
    goods_in.assign(n, 0);
    goods_out.assign(n, 0);
    money_in.assign(n, 0);
    money_out.assign(n, 0);
    for (VertexId v = 0; v < n; ++v) {
      for (float w : row_weights(ship, v)) goods_out[v] += w;
      for (float w : row_weights(ship_in, v)) goods_in[v] += w;
      for (float w : row_weights(stock, v)) (g.kind(v) == EntityKind::kSeller ? goods_in : goods_out)[v] += w;
      for (float w : row_weights(pay, v)) money_out[v] += w;
      for (float w : row_weights(pay_in, v)) money_in[v] += w;
    }
  }

  static std::span<const VertexId> row(const Csr& c, VertexId v) { return graph::neighbours_or_none(c, v); }
  static std::span<const float> row_weights(const Csr& c, VertexId v) { return graph::weights_or_none(c, v); }
  // Does links arc k (in seller v's row) carry a link that marks common control?
  bool vouching_link(VertexId v, std::size_t k, const NetworkCutOptions& o) const {
    const auto types = link_layer->link_events_of(links.offsets[v] + k);
    if (types.empty()) return true;  // types unknown: every link counts
    for (std::size_t t = 0; t < graph::kLinkTypes; ++t) {
      if (o.vouching_links[t] && types[t] > 0) return true;
    }
    return false;
  }
};

// One community's growth. `member` is shared by all communities; only this
// community's entries are written, and entries of other communities are
// never read (every test checks the community first).
class Growth {
 public:
  Growth(const Ties& t, const community::Partition& p, std::vector<char>& member, const NetworkCutOptions& o)
      : t_(t), c_(p.membership), member_(member), o_(o) {}

  void run(std::uint32_t c, std::span<const VertexId> vertices, std::span<const double> positive) {
    community_ = c;
    // A community whose data hold no tie that could vouch (no goods, no
    // money, no identifier of common control: only reports and weak
    // links) gives the cut nothing to judge by; it stays whole, and its
    // score stands on its identifiers and reports.
    if (!any_vouching_tie(vertices)) return;
    for (VertexId v : vertices) {
      if (positive[v] > 0) join(v);
    }
    std::vector<VertexId> joining;
    for (;;) {
      member_goods_.clear();
      for (VertexId v : vertices) {
        if (is_member(v) && t_.g.kind(v) == EntityKind::kWarehouse) member_goods_.push_back({v, goods_to_member_sellers(v)});
      }
      joining.clear();
      for (VertexId v : vertices) {
        if (!is_member(v) && qualifies(v)) joining.push_back(v);
      }
      if (joining.empty()) return;
      for (VertexId v : joining) join(v);
    }
  }

 private:
  bool is_member(VertexId v) const { return c_[v] == community_ && member_[v] != 0; }

  bool any_vouching_tie(std::span<const VertexId> vertices) const {
    for (VertexId v : vertices) {
      for (const Csr* c : {&t_.ship, &t_.ship_in, &t_.stock, &t_.pay, &t_.pay_in}) {
        if (!Ties::row(*c, v).empty()) return true;
      }
      const auto mates = Ties::row(t_.links, v);
      for (std::size_t k = 0; k < mates.size(); ++k) {
        if (t_.vouching_link(v, k, o_)) return true;
      }
    }
    return false;
  }

  // A seller goes with its payout accounts, and a payout account with its seller.
  void join(VertexId v) {
    if (t_.payout_of[v] != kNoSeller && c_[t_.payout_of[v]] == community_) v = t_.payout_of[v];
    member_[v] = 1;
    if (t_.g.kind(v) != EntityKind::kSeller) return;
    for (VertexId a : Ties::row(t_.pay, v)) {
      if (t_.payout_of[a] == v) member_[a] = 1;
    }
  }

  bool qualifies(VertexId v) const {
    switch (t_.g.kind(v)) {
      case EntityKind::kSeller: return seller_qualifies(v);
      case EntityKind::kWarehouse: return warehouse_qualifies(v);
      case EntityKind::kAccount: return t_.payout_of[v] == kNoSeller && account_qualifies(v);
      default: return false;
    }
  }

  bool seller_qualifies(VertexId v) const {
    // Identifiers of common control.
    const auto mates = Ties::row(t_.links, v);
    for (std::size_t k = 0; k < mates.size(); ++k) {
      if (is_member(mates[k]) && t_.vouching_link(v, k, o_)) return true;
    }
    // Money: a member account is a main recipient of the seller's money,
    // its payout accounts' included (and the payments to them left out).
    double out = 0;
    std::vector<std::pair<VertexId, double>> to_members;
    auto count_payments = [&](VertexId from) {
      const auto payees = Ties::row(t_.pay, from);
      const auto amounts = Ties::row_weights(t_.pay, from);
      for (std::size_t k = 0; k < payees.size(); ++k) {
        if (t_.payout_of[payees[k]] == v) continue;
        out += amounts[k];
        if (is_member(payees[k])) to_members.push_back({payees[k], amounts[k]});
      }
    };
    count_payments(v);
    for (VertexId a : Ties::row(t_.pay, v)) {
      if (t_.payout_of[a] == v) count_payments(a);
    }
    std::sort(to_members.begin(), to_members.end());
    for (std::size_t i = 0; i < to_members.size();) {
      double amount = 0;
      std::size_t j = i;
      for (; j < to_members.size() && to_members[j].first == to_members[i].first; ++j) amount += to_members[j].second;
      if (out > 0 && amount >= o_.main_share * out) return true;
      i = j;
    }
    // Goods: mostly from member warehouses, one of which serves mostly
    // members (a ring's own distributor, not a wholesaler that also
    // supplies the market).
    double from_members = 0;
    bool exclusive_supplier = false;
    auto suppliers = [&](const Csr& c) {
      const auto from = Ties::row(c, v);
      const auto units = Ties::row_weights(c, v);
      for (std::size_t k = 0; k < from.size(); ++k) {
        const VertexId w = from[k];
        if (!is_member(w) || t_.g.kind(w) != EntityKind::kWarehouse) continue;
        from_members += units[k];
        auto it = std::lower_bound(member_goods_.begin(), member_goods_.end(), std::pair<VertexId, double>{w, -1.0});
        if (it != member_goods_.end() && it->first == w && it->second >= o_.exclusive_share * t_.goods_out[w]) {
          exclusive_supplier = true;
        }
      }
    };
    suppliers(t_.ship_in);
    suppliers(t_.stock);
    return exclusive_supplier && from_members >= 0.5 * t_.goods_in[v];
  }

  // A main supplier of a member that sends members at least hub_share of its goods.
  bool warehouse_qualifies(VertexId w) const {
    bool main_supplier = false;
    double to_members = 0;
    auto look = [&](const Csr& c) {
      const auto receivers = Ties::row(c, w);
      const auto units = Ties::row_weights(c, w);
      for (std::size_t k = 0; k < receivers.size(); ++k) {
        const VertexId m = receivers[k];
        if (!is_member(m)) continue;
        to_members += units[k];
        if (units[k] >= o_.main_share * t_.goods_in[m]) main_supplier = true;
      }
    };
    look(t_.ship);
    look(t_.stock);
    return main_supplier && to_members >= o_.hub_share * t_.goods_out[w];
  }

  // A main recipient of a member that takes at least hub_share of its money from members.
  bool account_qualifies(VertexId a) const {
    bool main_recipient = false;
    double from_members = 0;
    const auto payers = Ties::row(t_.pay_in, a);
    const auto amounts = Ties::row_weights(t_.pay_in, a);
    for (std::size_t k = 0; k < payers.size(); ++k) {
      const VertexId p = payers[k];
      if (!is_member(p)) continue;
      from_members += amounts[k];
      if (amounts[k] >= o_.main_share * t_.money_out[p]) main_recipient = true;
    }
    return main_recipient && from_members >= o_.hub_share * t_.money_in[a];
  }

  double goods_to_member_sellers(VertexId w) const {
    double units = 0;
    for (const Csr* c : {&t_.ship, &t_.stock}) {
      const auto receivers = Ties::row(*c, w);
      const auto amounts = Ties::row_weights(*c, w);
      for (std::size_t k = 0; k < receivers.size(); ++k) {
        if (t_.g.kind(receivers[k]) == EntityKind::kSeller && is_member(receivers[k])) units += amounts[k];
      }
    }
    return units;
  }

  const Ties& t_;
  std::span<const std::uint32_t> c_;
  std::vector<char>& member_;
  const NetworkCutOptions& o_;
  std::uint32_t community_ = 0;
  std::vector<std::pair<VertexId, double>> member_goods_;  // member warehouses (sorted): units to member sellers
};

// The members' networks: the groups their ties hold together. Inside a
// community one tie joins (growth added each member by one), so two rings
// that detection put in one community, each with its own evidence, stay
// two networks; across communities a pair of groups joins on `join_ties`
// ties or more, so that a ring split by detection is whole again while one
// mule or one shared device does not fuse two rings. The ties: a vouching
// link between member sellers; money a member payee mainly takes from a
// member payer (across communities, only a storefront's takings, and only
// where the paying group brings the payee hub_share of its intake: money
// between collectors, or a few payments to another ring's mule, ties
// organisations, not members); goods a member
// warehouse sends a member (across communities, only as its main
// supplier); a payout account and its seller. Returns each member's group
// representative (a member vertex).
std::vector<VertexId> member_groups(const Ties& t, const community::Partition& p, const std::vector<char>& member,
                                    const NetworkCutOptions& o) {
  const VertexId n = t.g.num_entities();
  std::vector<VertexId> parent(n);
  for (VertexId v = 0; v < n; ++v) parent[v] = v;
  auto find = [&](VertexId v) {
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
  };
  auto unite = [&](VertexId a, VertexId b) {
    a = find(a);
    b = find(b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  };
  const auto& c = p.membership;
  struct Across {
    VertexId from, to;
    double amount;  // money ties: what `from` paid `to`; 0 for the others
  };
  std::vector<Across> across;  // ties between members of two communities
  auto tie = [&](VertexId u, VertexId v, bool counts_across, double amount = 0) {
    if (!member[v]) return;
    if (c[u] == c[v]) {
      unite(u, v);
    } else if (counts_across) {
      across.push_back({u, v, amount});
    }
  };
  for (VertexId u = 0; u < n; ++u) {
    if (!member[u]) continue;
    if (t.payout_of[u] != kNoSeller) tie(u, t.payout_of[u], true);
    if (t.g.kind(u) == EntityKind::kSeller) {
      const auto mates = Ties::row(t.links, u);
      for (std::size_t k = 0; k < mates.size(); ++k) {
        if (t.vouching_link(u, k, o)) tie(u, mates[k], true);
      }
    }
    const bool takings = t.g.kind(u) == EntityKind::kSeller || t.payout_of[u] != kNoSeller;
    const auto payees = Ties::row(t.pay, u);
    const auto amounts = Ties::row_weights(t.pay, u);
    for (std::size_t k = 0; k < payees.size(); ++k) {
      if (amounts[k] >= o.main_share * t.money_out[u]) tie(u, payees[k], takings, amounts[k]);
    }
    if (t.g.kind(u) != EntityKind::kWarehouse) continue;
    for (const Csr* goods : {&t.ship, &t.stock}) {
      const auto receivers = Ties::row(*goods, u);
      const auto units = Ties::row_weights(*goods, u);
      for (std::size_t k = 0; k < receivers.size(); ++k) {
        tie(u, receivers[k], units[k] >= o.main_share * t.goods_in[receivers[k]]);
      }
    }
  }
  // Money counts across groups only where the paying group brings the
  // payee hub_share of its intake: a ring's storefronts sweeping to their
  // collector do, a few storefronts paying a mule of another ring do not.
  std::map<std::pair<VertexId, VertexId>, double> paid;  // (payer group, payee) → amount
  for (const Across& a : across) {
    if (a.amount > 0) paid[{find(a.from), a.to}] += a.amount;
  }
  // Count the ties between groups, then join the pairs with enough of them.
  std::map<std::pair<VertexId, VertexId>, int> count;
  for (const Across& a : across) {
    const VertexId x = find(a.from), y = find(a.to);
    if (x == y) continue;
    if (a.amount > 0 && paid[{x, a.to}] < o.hub_share * t.money_in[a.to]) continue;
    ++count[{std::min(x, y), std::max(x, y)}];
  }
  for (const auto& [pair, ties] : count) {
    if (ties >= o.join_ties) unite(pair.first, pair.second);
  }
  for (VertexId v = 0; v < n; ++v) parent[v] = find(v);
  return parent;
}

}  // namespace

community::Partition cut_networks(const graph::MarketGraph& g, const community::Partition& p,
                                  std::span<const double> positive, std::span<const VertexId> payout_of,
                                  const NetworkCutOptions& o) {
  const VertexId n = g.num_entities();
  const Ties ties(g, payout_of);
  // Each community's vertices, in vertex order.
  std::vector<std::uint64_t> begin(static_cast<std::size_t>(p.num_communities) + 1, 0);
  for (VertexId v = 0; v < n; ++v) ++begin[p.membership[v] + 1];
  for (std::size_t c = 0; c < p.num_communities; ++c) begin[c + 1] += begin[c];
  std::vector<VertexId> by_community(n);
  {
    std::vector<std::uint64_t> at(begin.begin(), begin.end() - 1);
    for (VertexId v = 0; v < n; ++v) by_community[at[p.membership[v]]++] = v;
  }
  std::vector<char> reported(p.num_communities, 0);
  for (VertexId v = 0; v < n; ++v) {
    if (positive[v] > 0) reported[p.membership[v]] = 1;
  }

  std::vector<char> member(n, 0);
#pragma omp parallel
  {
    Growth growth(ties, p, member, o);
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t c = 0; c < static_cast<std::int64_t>(p.num_communities); ++c) {
      if (!reported[c]) continue;
      const std::span<const VertexId> vertices(by_community.data() + begin[c], begin[c + 1] - begin[c]);
      growth.run(static_cast<std::uint32_t>(c), vertices, positive);
    }
  }
  // Members by the groups their ties hold together; a community's rest is
  // one more network (labels above n, so the two never meet).
  const std::vector<VertexId> group = member_groups(ties, p, member, o);
  std::vector<std::uint32_t> labels(n);
  for (VertexId v = 0; v < n; ++v) labels[v] = member[v] ? group[v] : n + p.membership[v];
  return community::canonical_partition(labels);
}

}  // namespace sourcetrace::risk
