// Feedback evidence: what brands and investigators wrote through the query
// service (the feedback journal, store/feedback_journal.hpp) as one run
// uses it.
//
// The score stage reads the journal as it stands when the stage opens it
// and keeps, in risk.h5, exactly what it took:
// - reports dated on or before the run's as-of date, on an entity of
//   tonight's market, that the market's own evidence does not already
//   hold under the same (reporter, report id) — a brand's report that also
//   reached the platform's export counts once; the others are counted by
//   why (a report on an entity that is not in the market yet waits in the
//   journal for a night that has it);
// - verdicts as labelled outcomes for the weight fit (confirmed → the
//   members it labels are positives, cleared → negatives; inconclusive
//   labels nothing), the newest verdict on an entity winning.
// Every later reader — targets, track, export, the service — merges the
// same rows into the market's evidence (merge_feedback), so that counts,
// brand visibility and risk agree everywhere, and nothing reruns ingest or
// detect for a report.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sourcetrace/graph/key_index.hpp"
#include "sourcetrace/graph/market_graph.hpp"
#include "sourcetrace/status.hpp"
#include "sourcetrace/store/feedback_journal.hpp"
#include "sourcetrace/store/h5_file.hpp"
#include "sourcetrace/tables/contract.hpp"

namespace sourcetrace::risk {

struct FeedbackCounts {
  std::uint32_t reports = 0;           // report lines read from the journal
  std::uint32_t merged = 0;            // joined the evidence
  std::uint32_t after_as_of = 0;       // dated after the run's as-of date: for a later run
  std::uint32_t unknown_entity = 0;    // on an entity tonight's market does not have
  std::uint32_t already_in_market = 0; // the market's evidence has the same reporter and report id
  std::uint32_t invalid = 0;           // a date or signal the contract refuses (not written by a server)
  std::uint32_t verdicts = 0;          // verdict lines read
  std::uint32_t labelled = 0;          // entities labelled by them (tonight's market)
  std::uint32_t positives = 0, negatives = 0;
};

struct FeedbackEvidence {
  std::uint64_t journal_bytes = 0;  // the journal's prefix read (whole lines)
  std::string journal_digest;       // of that prefix; "" when there was none
  FeedbackCounts counts;
  // The reports taken, as evidence rows; brand, reporter and report index
  // the dictionaries below (entry 0 = "").
  graph::EvidenceTable rows;
  graph::KeyIndex::Blob brands, reporters, reports;
  // The verdicts' labels: an entity and whether it is a confirmed case.
  std::vector<graph::VertexId> label_entity;
  std::vector<std::uint8_t> label_confirmed;

  bool empty() const { return journal_bytes == 0; }
};

// What the run takes from `journal` for `market` (its own evidence, not
// yet merged) as of `as_of`.
FeedbackEvidence take_feedback(const graph::MarketGraph& market, const store::FeedbackSnapshot& journal,
                               tables::Day as_of);

// Appends the reports taken to `market`'s evidence, their brands,
// reporters and report ids to its dictionaries. kCorrupt when a row or
// label names no entity of `market` (the files are not from one run).
Status merge_feedback(graph::MarketGraph& market, const FeedbackEvidence& feedback);

// `/risk/feedback` in risk.h5 (absent: the run read no journal).
Status write_feedback(store::H5File& file, const FeedbackEvidence& feedback);
Result<FeedbackEvidence> read_feedback(const store::H5File& file);

}  // namespace sourcetrace::risk
