// How alike two partitions of the same vertices are: NMI and ARI.
//
// Normalised mutual information with the arithmetic-mean normalisation,
// 2·I(A;B) / (H(A) + H(B)) (Danon et al. 2005; what igraph's
// compare_communities(method="nmi") computes), and the adjusted Rand index
// (Hubert & Arabie 1985). Both are 1 for identical partitions; NMI of two
// one-community partitions is defined as 1. Labels may be any integers.
#pragma once

#include <cstdint>
#include <span>

namespace sourcetrace::community {

double normalized_mutual_information(std::span<const std::uint32_t> a,
                                     std::span<const std::uint32_t> b);
double adjusted_rand_index(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b);

}  // namespace sourcetrace::community
