// Feedback evidence: what a run takes from the feedback journal — reports
// on tonight's entities dated by the as-of date, once per (reporter,
// report id) with the market's own evidence, verdicts as labels — merged
// into the market's evidence and kept in risk.h5 unchanged.
#include <catch2/catch.hpp>

#include "../support/test_env.hpp"
#include "sourcetrace/ingest/ingest.hpp"
#include "sourcetrace/risk/feedback_evidence.hpp"
#include "sourcetrace/store/run_file.hpp"
#include "sourcetrace/tables/fields.hpp"

using namespace sourcetrace;
using namespace sourcetrace::testing;

namespace {

store::FeedbackEntry reported(const std::string& reporter, const std::string& report, const std::string& kind,
                              const std::string& id, const std::string& signal, const std::string& brand,
                              const std::string& day) {
  store::FeedbackEntry e;
  e.type = store::FeedbackEntry::Type::kReport;
  e.reporter = reporter;
  e.report = report;
  e.kind = kind;
  e.id = id;
  e.signal = signal;
  e.brand = brand;
  e.reported_on = day;
  return e;
}

store::FeedbackEntry verdict(const std::string& outcome, std::vector<std::string> members) {
  store::FeedbackEntry e;
  e.type = store::FeedbackEntry::Type::kVerdict;
  e.reporter = "ines";
  e.outcome = outcome;
  e.members = std::move(members);
  return e;
}

}  // namespace

TEST_CASE("risk: feedback joins the evidence once by reporter and report id and labels verdicts' members",
          "[risk][fast]") {
  TempDir tmp;
  // The platform's evidence already holds B1's report B1:td-1 (S1, takedown).
  make_fixture_dataset(source_path("tests/fixtures/good/evidence_report_ids"), tmp / "data");
  auto ingested = ingest::ingest_market(tmp / "data", {});
  REQUIRE(ingested.is_ok());
  graph::MarketGraph g = std::move(ingested.value().graph);
  tables::Day as_of = 0;
  REQUIRE(tables::parse_date("2025-03-05", as_of) == nullptr);

  store::FeedbackSnapshot journal;
  journal.bytes = 100;
  journal.digest = "d";
  journal.entries = {
      reported("B1", "B1:td-1", "seller", "S1", "takedown", "B1", "2025-03-01"),               // also exported
      reported("acme", "B1:td-1", "seller", "S2", "test_buy_counterfeit", "ACME", "2025-03-04"),  // another reporter's id
      reported("acme", "t-2", "seller", "S2", "test_buy_counterfeit", "ACME", "2025-03-06"),     // after the as-of date
      reported("acme", "t-3", "seller", "NOBODY", "complaint", "", "2025-03-01"),                // not in the market
      verdict("confirmed", {"seller:S1", "seller:S2", "account:NOBODY"}),
      verdict("inconclusive", {"seller:S3"}),
      verdict("cleared", {"seller:S2"}),  // the newest verdict on S2 wins
  };
  const risk::FeedbackEvidence f = risk::take_feedback(g, journal, as_of);
  CHECK(f.counts.reports == 4);
  CHECK(f.counts.merged == 1);
  CHECK(f.counts.already_in_market == 1);
  CHECK(f.counts.after_as_of == 1);
  CHECK(f.counts.unknown_entity == 1);
  CHECK(f.counts.verdicts == 3);
  CHECK(f.counts.labelled == 2);
  CHECK(f.counts.positives == 1);
  CHECK(f.counts.negatives == 1);
  REQUIRE(f.rows.size() == 1);

  // Merged: the market gains the row, the brand and the reporter.
  const std::size_t before = g.evidence.size();
  REQUIRE(risk::merge_feedback(g, f).is_ok());
  REQUIRE(g.evidence.size() == before + 1);
  CHECK(graph::dictionary_entry(g.brands, g.evidence.brand.back()) == "ACME");
  CHECK(graph::dictionary_entry(g.reporters, g.evidence.reporter.back()) == "acme");
  CHECK(graph::dictionary_entry(g.reports, g.evidence.report.back()) == "B1:td-1");
  CHECK(g.evidence.report.size() == g.evidence.size());

  // Kept in a stage file and read back the same.
  const std::string path = tmp / "risk.h5";
  REQUIRE(store::write_run_file(path, [&](store::H5File& file) { return risk::write_feedback(file, f); }).is_ok());
  auto file = store::open_run_file(path);
  REQUIRE(file.is_ok());
  auto back = risk::read_feedback(file.value());
  REQUIRE(back.is_ok());
  CHECK(back.value().journal_digest == "d");
  CHECK(back.value().counts.merged == 1);
  CHECK(back.value().rows.entity == f.rows.entity);
  CHECK(back.value().label_entity == f.label_entity);
  CHECK(back.value().label_confirmed == f.label_confirmed);

  // Feedback taken for another market does not merge into this one.
  risk::FeedbackEvidence stranger = f;
  stranger.rows.entity[0] = g.num_entities() + 5;
  CHECK(risk::merge_feedback(g, stranger).code() == Status::Code::kCorrupt);
}
