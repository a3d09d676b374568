// The investigator query service: what `sourcetrace serve` answers about
// one published batch run. The C++ and Python code is generated from this
// file by the build (never committed); field ids are never reused.
//
// Every call takes the caller's token first. What a token may see: an
// `investigator` token sees every network; a `brand` token only the
// networks whose evidence names one of its brands. Anything else — a
// network, an entity, a neighbour, a path — is answered as NotFound, the
// same as if it did not exist, so that nothing leaks through a path or a
// neighbour list; and nothing counts it: totals, counts and target ranks
// are over what the token sees, and network ids are opaque (no position).

namespace cpp sourcetrace.service.api
namespace py sourcetrace_service

// ---- errors ----

exception NotFound {
  1: string message,
}

// The token is unknown or revoked.
exception Forbidden {
  1: string message,
}

// A parameter outside its limits; `limit` is the bound that was passed.
exception BadRequest {
  1: string message,
  2: string parameter,
  3: i64 limit,
}

// Too many calls in flight, or the call ran past its deadline.
exception ServerBusy {
  1: string message,
  2: i32 retry_after_ms,
}

// Too many rows written by this token in the last minute (reports and
// verdicts count one each); retry after the time given.
exception RateLimited {
  1: string message,
  2: i32 retry_after_ms,
  3: i64 limit,               // rows per minute this token may write
}
// ---- data ----

struct NetworkSummary {
  1: string network,          // "N" and 16 hex digits: opaque, the same for every token and in the export files
  2: double risk,             // [0, 1]
  3: i32 members,
  4: i32 sellers,
  5: i32 warehouses,
  6: i32 accounts,
  7: i32 evidence,            // evidence rows on members
  8: list<string> brands,     // brands named by its evidence
  9: string reason,
  10: string first_seen,      // YYYY-MM-DD: the as-of date of the run that first gave the id
  11: string lineage,         // as networks.csv: "split_from:N…@date;merged_from:N…@date", ids the token sees
}

struct NetworkPage {
  1: list<NetworkSummary> networks,
  2: i64 total,               // matching networks, all pages
  3: i32 offset,
}

struct EntityRef {
  1: string kind,             // seller | warehouse | account | brand
  2: string id,
}

struct Member {
  1: EntityRef entity,
  2: string role_hint,        // source | distributor | storefront | collector | legit
  3: double risk,             // member risk
}

struct EvidenceCount {
  1: string signal,
  2: string brand,            // "" when the row names none
  3: i32 rows,
}

struct LayerCount {
  1: string layer,            // seller | warehouse | payment | shipment
  2: i64 edges,               // edges with both ends in the network
}

struct Target {
  1: i32 rank,                // in the list as the token sees it: global for an investigator, 1..k over its own for a brand
  2: string network,
  3: EntityRef entity,
  4: string role_hint,
  5: double impact,           // cumulative share of the network's flow cut
  6: double marginal,         // this pick's own share
  7: string reason,
}

// What happened to a network since the previous run (a row of changes.csv).
struct NetworkChange {
  1: string network,
  2: string change,           // new | grown | shrunk | unchanged | split | merged | gone
  3: list<string> others,     // split or merge partners the token sees
  4: i32 members_before,
  5: i32 members_after,
  6: double risk_before,
  7: double risk_after,
  8: i32 new_evidence,        // evidence rows dated after the previous run
}

struct NetworkDetail {
  1: NetworkSummary summary,  // its first_seen and lineage are the network's history across runs
  2: list<Member> members,
  3: list<EvidenceCount> evidence,
  4: list<Target> targets,
  5: list<LayerCount> layers,
  6: list<NetworkChange> changes,  // tonight's change, when the run is chained and one is listed
}

struct Neighbour {
  1: EntityRef entity,
  2: string layer,
  3: double weight,           // the layer's edge weight (events, units or amount)
}

struct EntityDetail {
  1: EntityRef entity,
  2: string network,
  3: double risk,             // member risk
  4: string role_hint,
  5: list<EvidenceCount> evidence,
  6: list<Neighbour> neighbours,    // one page, all layers, by layer then id
  7: i64 neighbours_total,
  8: i32 neighbours_offset,
}

struct PathStep {
  1: EntityRef tail,
  2: EntityRef head,
  3: string layer,
  4: double weight,
}

struct Path {
  1: list<PathStep> steps,
}

struct PathResult {
  1: list<Path> paths,        // the shortest paths (fewest hops), at most max_paths
  2: i32 hops,                // their length; 0 when none within max_hops
  3: i64 visited,             // entities the search looked at
}

struct TargetPage {
  1: list<Target> targets,
  2: i64 total,
  3: i32 offset,
}

struct ChangePage {
  1: list<NetworkChange> changes,
  2: i64 total,
  3: i32 offset,
  4: string previous_run,     // "" on a chain's first run
}

// A row of alerts.csv.
struct Alert {
  1: i32 rank,                // in the list as the token sees it: 1..k over its own for a brand
  2: string alert,            // early_warning | new_network | grown | risk_rose | new_evidence
  3: string network,
  4: EntityRef entity,        // the fresh entity of an early warning; kind and id "" otherwise
  5: double risk,
  6: string reason,
}

struct AlertPage {
  1: list<Alert> alerts,
  2: i64 total,
  3: i32 offset,
}

struct RunInfo {
  1: string run,              // the run folder's name
  2: string created,          // ISO-8601 UTC (manifest)
  3: string engine,
  4: string engine_build,
  5: string dataset_digest,
  6: string parameters_json,  // every job parameter as used
  7: i64 networks,            // over what the token sees
  8: i64 entities,            // members of those networks
  9: string published,        // when this server loaded it
}

// A brand's or an investigator's report: one evidence row of the table
// contract (docs/tables.md), with the client's own id for it.
struct Report {
  1: string report,           // the client's id, 1-64 of [A-Za-z0-9._:-]; resending it is a no-op
  2: EntityRef entity,        // kind seller | warehouse | account | brand
  3: string signal,           // takedown | test_buy_counterfeit | test_buy_genuine | complaint | enforcement_confirmed
  4: string brand,            // "" only for a complaint, and never from a brand token
  5: string reported_on,      // YYYY-MM-DD, not after today (UTC)
}
// The answer for one report, in the order sent.
struct ReportReceipt {
  1: string report,
  2: bool accepted,
  3: string reason,           // why it was rejected ("" when accepted)
  4: i64 sequence,            // its line in the feedback journal (accepted only)
  5: string received,         // ISO-8601 UTC when the journal first took it
  6: bool resent,             // the report id was taken before: this is that first receipt
}
// A closed case, as recorded.
struct VerdictReceipt {
  1: i64 sequence,            // its line in the feedback journal
  2: string network,
  3: string outcome,          // confirmed | cleared | inconclusive
  4: string run,              // the run served when it was recorded
  5: i32 members,             // members it labels: those whose role hint is not legit
  6: string received,         // ISO-8601 UTC
}
// ---- the graph view and the trace ----

// One member as the graph view draws it.
struct GraphNode {
  1: EntityRef entity,
  2: string role_hint,
  3: double risk,             // member risk
  4: i32 evidence,            // evidence rows on it, as of the run
  5: i32 target_rank,         // its rank in the target list as the caller sees it; 0: not a target
  6: string target_reason,    // "" when not a target
}

// One edge per (pair, layer) between two nodes; shipments and payments one
// per direction that carries flow, tail to head (origin to destination,
// payer to payee).
struct GraphEdge {
  1: i32 tail,                // index into NetworkGraph.nodes
  2: i32 head,
  3: string layer,            // seller | warehouse | payment | shipment
  4: double weight,           // the layer's weight (events, units or amount); the direction's own on directed layers
  5: bool directed,
}

// One evidence row on a member, for the timeline.
struct EvidenceEvent {
  1: EntityRef entity,
  2: string signal,
  3: string brand,
  4: string reported_on,      // YYYY-MM-DD
}

struct NetworkGraph {
  1: NetworkSummary summary,
  2: list<GraphNode> nodes,   // targets first (by rank), then the other members in vertex order
  3: list<GraphEdge> edges,   // between nodes
  4: bool partial,            // more members than max_nodes: the nodes are its targets and their neighbours inside it
  5: list<EvidenceEvent> timeline,  // the network's evidence as of the run, oldest first; the newest max_page rows
  6: i64 timeline_total,
}

// One step of a trace: `entity` reached from `via` along `layer`.
struct TraceStep {
  1: EntityRef entity,
  2: EntityRef via,
  3: i32 hops,                // from the start
  4: string layer,            // shipment | payment
  5: double weight,           // units or amount between via and entity, that way
  6: double share,            // of via's visible total that way, in [0, 1]
  7: string role_hint,
  8: string network,
  9: bool hub,                // more than max_fanout links that way: listed, not expanded
}

// Goods followed upstream (who shipped to it, and who shipped to them) and
// downstream (where it shipped, and onward), and money followed from it
// (whom it paid, and onward), breadth first, each entity once per
// direction, through entities the caller sees.
struct Trace {
  1: EntityRef start,
  2: string network,
  3: list<TraceStep> upstream,
  4: list<TraceStep> downstream,
  5: list<TraceStep> money,
  6: i32 max_hops,
  7: i32 max_fanout,
  8: i64 visited,             // entities looked at, all directions
}

struct NetworkFilter {
  1: double min_risk = 0.0,
  2: string brand = "",       // "" = any
  3: i32 min_members = 0,
  4: i32 max_members = 0,     // 0 = no bound
}

service Investigator {
  // An empty call: what a round trip costs (benchmarks, health checks).
  void ping(1: string token) throws (1: Forbidden forbidden, 2: ServerBusy busy),

  RunInfo run_info(1: string token) throws (1: Forbidden forbidden, 2: ServerBusy busy),

  NetworkPage list_networks(1: string token, 2: NetworkFilter filter, 3: i32 offset, 4: i32 limit)
      throws (1: Forbidden forbidden, 2: BadRequest bad, 3: ServerBusy busy),

  NetworkDetail network(1: string token, 2: string network)
      throws (1: Forbidden forbidden, 2: NotFound not_found, 3: ServerBusy busy),

  EntityDetail entity(1: string token, 2: EntityRef entity, 3: i32 neighbours_offset, 4: i32 neighbours_limit)
      throws (1: Forbidden forbidden, 2: NotFound not_found, 3: BadRequest bad, 4: ServerBusy busy),

  PathResult paths(1: string token, 2: EntityRef source, 3: EntityRef destination, 4: i32 max_hops, 5: i32 max_paths)
      throws (1: Forbidden forbidden, 2: NotFound not_found, 3: BadRequest bad, 4: ServerBusy busy),

  TargetPage targets(1: string token, 2: i32 offset, 3: i32 limit)
      throws (1: Forbidden forbidden, 2: BadRequest bad, 3: ServerBusy busy),

  Target target(1: string token, 2: i32 rank)
      throws (1: Forbidden forbidden, 2: NotFound not_found, 3: ServerBusy busy),

  // What changed since the previous run, most suspect first; a brand sees
  // the networks it sees tonight, their partners cut to those.
  ChangePage changes(1: string token, 2: i32 offset, 3: i32 limit)
      throws (1: Forbidden forbidden, 2: BadRequest bad, 3: ServerBusy busy),

  // The night's alerts, ranked; a brand's over the networks it sees.
  AlertPage alerts(1: string token, 2: i32 offset, 3: i32 limit)
      throws (1: Forbidden forbidden, 2: BadRequest bad, 3: ServerBusy busy),
  // A network as a graph: its members (or, past max_nodes, its targets and
  // their neighbours inside it), the edges between them, its evidence
  // timeline.
  NetworkGraph network_graph(1: string token, 2: string network, 3: i32 max_nodes)
      throws (1: Forbidden forbidden, 2: NotFound not_found, 3: BadRequest bad, 4: ServerBusy busy),

  // From one entity, its goods followed upstream to the distributors and
  // sources that supplied it and downstream to the storefronts they serve,
  // and its money to the collectors; each step with its share.
  Trace trace(1: string token, 2: EntityRef entity, 3: i32 max_hops)
      throws (1: Forbidden forbidden, 2: NotFound not_found, 3: BadRequest bad, 4: ServerBusy busy),
  // ---- writes: each answered only once on disk in the feedback journal ----
  // Evidence reports, answered row by row. A brand token reports only for
  // its own brands; an investigator token for any. Whether an entity
  // exists, or is hidden from the caller, changes no answer.
  list<ReportReceipt> submit_reports(1: string token, 2: list<Report> reports)
      throws (1: Forbidden forbidden, 2: BadRequest bad, 3: ServerBusy busy, 4: RateLimited limited),
  // Closes a case on a network of the run served (investigator tokens
  // only): confirmed (counterfeit, raided or proven), cleared (legitimate)
  // or inconclusive.
  VerdictReceipt record_verdict(1: string token, 2: string network, 3: string outcome, 4: string note)
      throws (1: Forbidden forbidden, 2: NotFound not_found, 3: BadRequest bad, 4: ServerBusy busy,
              5: RateLimited limited),
}
