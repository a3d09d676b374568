// Network cut: the members of each community that the evidence and their
// ties vouch for, and the community's rest.
//
// Detection at a fixed density (community/leiden.hpp) gives ring-sized
// communities, but a community still holds the bystanders that trade with
// a ring: the honest shops its distributor also supplies, with their
// payout accounts and their own small warehouses, the sellers whose images
// a storefront copied. They share one tie with the ring; its members share
// several, and of kinds a bystander has no reason to share: identifiers
// of common control, money that ends up in the ring's accounts, goods from
// a warehouse that serves only the ring. So a network is grown from the
// evidence, inside its community, along those ties — the goods and money
// followed upstream and downstream from the reported storefronts:
//
// - the core: the members with positive evidence;
// - a seller joins when it shares a device, a phone or a bank-account
//   holder with a member seller; or when a member account is a main
//   recipient of its money (its own or its payout accounts'); or when
//   member warehouses supply most of its goods and one of them sends
//   `exclusive_share` of its goods to member sellers (the ring's own
//   distributor, not one that also supplies honest shops: they buy there,
//   and that is their only tie);
// - a warehouse joins when it is a main supplier of a member (at least
//   `main_share` of that member's goods in) and sends at least `hub_share`
//   of its goods to members (a 3PL hub serving thousands sends a sliver);
// - an account joins when it is a main recipient of a member (at least
//   `main_share` of that member's money out) and takes at least
//   `hub_share` of its money from members (not a payment processor);
// - a seller's payout accounts (risk/payout_accounts.hpp) go wherever the
//   seller goes.
//
// Growth runs in rounds: each round judges every outside member of the
// community against the network as it stood at the round's start and adds
// all who qualify, so the result depends on no order and no thread count.
// The networks are the groups these ties hold together: two rings that
// detection put in one community, each with its own evidence, stay two. A
// ring that detection split over communities leaves a group in each; two
// such groups are one when their members vouch for each other `join_ties`
// times or more (links of common control, main recipients of storefront
// takings, main suppliers), which one mule or one shared device is not.
// What is left of a community is its rest, a network of its own; a
// community without positive evidence stays whole, and so does one whose
// data hold no tie that could vouch (no goods, no money, no identifier of
// common control: a graph of reports and weak links alone).
//
// The result partitions all entities, finer than or equal to the
// communities, canonical.
#pragma once

#include <array>
#include <span>

#include "sourcetrace/community/partition.hpp"
#include "sourcetrace/graph/market_graph.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::risk {

struct NetworkCutOptions {
  // A warehouse or an account is a member's main supplier or recipient
  // from this share of the member's goods in or money out.
  double main_share = 1.0 / 3.0;
  // Least share of a warehouse's goods (an account's money) that must go
  // to (come from) members for it to join: keeps hubs out.
  double hub_share = 0.1;
  // A seller that takes most of its goods from member warehouses joins
  // when one of them sends this share of its goods to member sellers.
  double exclusive_share = 0.8;
  // An account that takes this share of its money from one seller is that
  // seller's payout account (payout_owners).
  double payout_share = 0.9;
  // Groups of two communities that vouch for each other this many times
  // (ties between their members of the kinds above) are one network.
  int join_ties = 2;
  // The link types that mark common control (device, address, phone,
  // bank_holder, image, contact): what a bystander has no reason to share.
  std::array<bool, graph::kLinkTypes> vouching_links = {true, false, true, true, false, false};
};

Status validate(const NetworkCutOptions& options);

// `positive`: each entity's positive evidence (risk/evidence_score.hpp);
// `payout_of`: payout_owners(graph, communities, options.payout_share).
community::Partition cut_networks(const graph::MarketGraph& graph, const community::Partition& communities,
                                  std::span<const double> positive, std::span<const graph::VertexId> payout_of,
                                  const NetworkCutOptions& options);

}  // namespace sourcetrace::risk
