// Payout accounts: each account's largest payer, when it pays nearly all.
#include "sourcetrace/risk/payout_accounts.hpp"

namespace sourcetrace::risk {

using graph::VertexId;

std::vector<VertexId> payout_owners(const graph::MarketGraph& g, const community::Partition& p, double share) {
  const VertexId n = g.num_entities();
  std::vector<VertexId> owner(n, kNoSeller);
  const graph::Csr& f = g.flow_csr("payment");
  std::vector<double> total(n, 0.0), most(n, 0.0);
  std::vector<VertexId> largest(n, kNoSeller);
  for (VertexId u = 0; u < f.num_vertices(); ++u) {
    const auto payees = f.neighbours(u);
    const auto amounts = f.neighbour_weights(u);
    for (std::size_t k = 0; k < payees.size(); ++k) {
      const VertexId a = payees[k];
      total[a] += amounts[k];
      if (amounts[k] > most[a]) most[a] = amounts[k], largest[a] = u;
    }
  }
  for (VertexId a = 0; a < n; ++a) {
    const VertexId s = largest[a];
    if (g.kind(a) != EntityKind::kAccount || s == kNoSeller || g.kind(s) != EntityKind::kSeller) continue;
    if (p.membership[s] == p.membership[a] && most[a] >= share * total[a]) owner[a] = s;
  }
  return owner;
}

}  // namespace sourcetrace::risk
