// Modularity of a partition of a weighted undirected graph.
//
//   Q = (1/M) · Σ_c [ in_c − γ · tot_c² / M ]
//
// where M is the sum of all stored arc weights (twice the edge weight of a
// symmetric Csr), in_c the weight of arcs with both ends in c, tot_c the
// summed strength (arc weight) of c's vertices and γ the resolution. A
// self-loop arc counts once with its stored weight: the aggregated graphs
// of Louvain/Leiden keep a community's internal arcs that way, so Q is the
// same at every level. (An undirected self-loop of weight w in igraph's
// sense is an arc of weight 2w here.) Parallel (OpenMP), deterministic.
#pragma once

#include <span>
#include <vector>

#include "sourcetrace/community/partition.hpp"
#include "sourcetrace/graph/csr.hpp"

namespace sourcetrace::community {

// REQUIRES: membership.size() == csr.num_vertices(); labels < num_communities.
double modularity(const graph::Csr& csr, std::span<const CommunityId> membership,
                  CommunityId num_communities, double resolution = 1.0);

// The same in two steps, for a graph whose rows are split among MPI ranks:
// each rank computes its rows' terms (membership covers every vertex its
// rows reach), one process adds them up in vertex order, so the result
// equals modularity() on the whole graph bit for bit.
struct ModularityTerms {
  double strength = 0;  // the row's arc weights
  double inside = 0;    // those to the vertex's own community
};
std::vector<ModularityTerms> modularity_terms(const graph::Csr& csr, std::span<const CommunityId> membership);
double modularity_from_terms(std::span<const ModularityTerms> terms, std::span<const CommunityId> membership,
                             CommunityId num_communities, double resolution = 1.0);

}  // namespace sourcetrace::community
