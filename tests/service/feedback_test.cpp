// Writes through the query service: brands' and investigators' reports and
// verdicts, on a real `sourcetrace serve` on 127.0.0.1, into the feedback
// journal. Per-row answers, brand scope, resent ids, limits, the audit
// chain, and no acknowledged row lost when the server is killed -9 mid-stream;
// the journal's own rules (a torn last line cut, a damaged line refused).
#include <fmt/format.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "../support/csv_rows.hpp"
#include "../support/service_fixture.hpp"
#include "../support/test_env.hpp"
#include "sourcetrace/risk/risk_file.hpp"
#include "sourcetrace/store/feedback_journal.hpp"
#include "sourcetrace/tables/fields.hpp"

using namespace sourcetrace;
using namespace sourcetrace::testing;

namespace {

api::Report report(const std::string& id, const std::string& kind, const std::string& entity,
                   const std::string& signal, const std::string& brand, const std::string& day = "2024-01-05") {
  api::Report r;
  r.report = id;
  r.entity.kind = kind;
  r.entity.id = entity;
  r.signal = signal;
  r.brand = brand;
  r.reported_on = day;
  return r;
}

std::vector<store::FeedbackEntry> journal_entries(const std::string& path) {
  auto read = store::read_feedback_journal(path);
  REQUIRE(read.is_ok());
  return read.value().entries;
}

}  // namespace

TEST_CASE("service: reports are answered row by row and on disk before the answer and a resent id is a no-op",
          "[service]") {
  Fixture& f = fixture();
  Server server;
  Client c(server.port());
  std::vector<api::ReportReceipt> receipts;
  c->submit_reports(receipts, f.investigator,
                    {report("r1", "seller", "S000001", "test_buy_counterfeit", "B001"),
                     report("r2", "seller", "S000002", "counterfeit", "B001"),
                     report("r3", "seller", "S000003", "takedown", ""),
                     report("r4", "seller", "S000004", "complaint", "", "2999-01-01"),
                     report("r5", "spaceship", "X1", "complaint", ""),
                     report("bad id!", "seller", "S000005", "complaint", ""),
                     // An entity no run has: the answer does not depend on it.
                     report("r6", "seller", "NO-SUCH-SELLER", "complaint", "")});
  REQUIRE(receipts.size() == 7);
  CHECK(receipts[0].accepted);
  CHECK(receipts[0].sequence == 1);
  CHECK_FALSE(receipts[0].received.empty());
  CHECK_FALSE(receipts[1].accepted);
  CHECK(receipts[1].reason.find("column 'signal': unknown value") != std::string::npos);
  CHECK_FALSE(receipts[2].accepted);
  CHECK(receipts[2].reason.find("only a complaint may name no brand") != std::string::npos);
  CHECK_FALSE(receipts[3].accepted);
  CHECK(receipts[3].reason.find("after today") != std::string::npos);
  CHECK_FALSE(receipts[4].accepted);
  CHECK(receipts[4].reason.find("column 'kind': unknown kind") != std::string::npos);
  CHECK_FALSE(receipts[5].accepted);
  CHECK(receipts[5].reason.find("report: a report id has only") != std::string::npos);
  CHECK(receipts[6].accepted);
  CHECK(receipts[6].sequence == 2);

  // Written before the answer came: the journal holds the accepted rows, by the token's id.
  std::vector<store::FeedbackEntry> entries = journal_entries(server.journal());
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].reporter == "ines");
  CHECK(entries[0].report == "r1");
  CHECK(entries[0].signal == "test_buy_counterfeit");
  CHECK(entries[1].id == "NO-SUCH-SELLER");

  // Resent (the answer was lost, say): the first receipt again, nothing written.
  std::vector<api::ReportReceipt> again;
  c->submit_reports(again, f.investigator,
                    {report("r1", "seller", "S000001", "test_buy_counterfeit", "B001"),
                     report("r7", "seller", "S000007", "takedown", "B002"),
                     report("r7", "seller", "S000007", "takedown", "B002")});
  REQUIRE(again.size() == 3);
  CHECK(again[0].accepted);
  CHECK(again[0].resent);
  CHECK(again[0].sequence == 1);
  CHECK(again[0].received == receipts[0].received);
  CHECK(again[1].accepted);
  CHECK_FALSE(again[1].resent);
  CHECK(again[2].resent);
  CHECK(again[2].sequence == again[1].sequence);
  CHECK(journal_entries(server.journal()).size() == 3);

  // A restarted server still knows the ids it took.
  server.stop();
  Server restarted({"--journal", server.journal()});
  Client c2(restarted.port());
  std::vector<api::ReportReceipt> third;
  c2->submit_reports(third, f.investigator, {report("r7", "seller", "S000007", "takedown", "B002")});
  REQUIRE(third.size() == 1);
  CHECK(third[0].resent);
  CHECK(journal_entries(server.journal()).size() == 3);

  // Every write is in the audit log, and the chain verifies.
  restarted.stop();
  const std::string audit = read_file(server.audit());
  CHECK(audit.find("\"call\":\"submit_reports\"") != std::string::npos);
  CHECK(audit.find("\"report\":\"r1\"") != std::string::npos);
  CHECK(run_sourcetrace({"audit", "verify", server.audit()}).exit_code == 0);
}

TEST_CASE("service: a brand token reports only for its own brands and another brand's row is refused unwritten",
          "[service]") {
  Fixture& f = fixture();
  Server server;
  Client c(server.port());
  std::vector<api::ReportReceipt> receipts;
  c->submit_reports(receipts, f.brand_token,
                    {report("b1", "seller", "S000010", "test_buy_counterfeit", "B002"),
                     report("b2", "seller", "S000011", "complaint", ""),
                     report("b3", "seller", "S000012", "test_buy_counterfeit", f.brand)});
  REQUIRE(receipts.size() == 3);
  CHECK_FALSE(receipts[0].accepted);
  CHECK(receipts[0].reason.find("'B002' is not one of this token's brands") != std::string::npos);
  CHECK_FALSE(receipts[1].accepted);
  CHECK(receipts[1].reason.find("must name one of its brands") != std::string::npos);
  CHECK(receipts[2].accepted);
  std::vector<store::FeedbackEntry> entries = journal_entries(server.journal());
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].report == "b3");
  CHECK(entries[0].reporter == "acme");
  // Report ids are the reporter's own: an investigator's "b3" is another report.
  std::vector<api::ReportReceipt> other;
  c->submit_reports(other, f.investigator, {report("b3", "seller", "S000013", "complaint", "")});
  REQUIRE(other.size() == 1);
  CHECK_FALSE(other[0].resent);
  CHECK(journal_entries(server.journal()).size() == 2);
  // An unknown token writes nothing.
  CHECK_THROWS_AS(c->submit_reports(other, "st_nope", {report("x1", "seller", "S1", "complaint", "")}),
                  api::Forbidden);
  CHECK(journal_entries(server.journal()).size() == 2);
}

TEST_CASE("service: writes have a per-call size limit and a per-token rate with typed errors", "[service]") {
  Fixture& f = fixture();
  Server server({"--max-reports", "3", "--write-rate", "4"});
  Client c(server.port());
  std::vector<api::ReportReceipt> receipts;
  std::vector<api::Report> four;
  for (int i = 0; i < 4; ++i) four.push_back(report("s" + std::to_string(i), "seller", "S1", "complaint", ""));
  try {
    c->submit_reports(receipts, f.investigator, four);
    FAIL("four reports in one call were taken");
  } catch (const api::BadRequest& e) {
    CHECK(e.parameter == "reports");
    CHECK(e.limit == 3);
  }
  c->submit_reports(receipts, f.investigator, {four[0], four[1], four[2]});
  CHECK(receipts.size() == 3);
  try {
    c->submit_reports(receipts, f.investigator, {four[3], four[3]});  // 5 rows in the minute: one too many
    FAIL("the rate was not enforced");
  } catch (const api::RateLimited& e) {
    CHECK(e.limit == 4);
    CHECK(e.retry_after_ms > 0);
  }
  // Another token has its own rate.
  c->submit_reports(receipts, f.brand_token, {report("t1", "seller", "S1", "test_buy_counterfeit", f.brand)});
  CHECK(receipts.at(0).accepted);
  CHECK(journal_entries(server.journal()).size() == 4);
}

TEST_CASE("service: an investigator records a verdict on a network of the run served and a brand token may not",
          "[service]") {
  Fixture& f = fixture();
  Server server;
  Client c(server.port());
  api::NetworkPage page;
  c->list_networks(page, f.investigator, api::NetworkFilter(), 0, 1);
  REQUIRE(!page.networks.empty());
  const std::string network = page.networks[0].network;
  api::VerdictReceipt receipt;
  CHECK_THROWS_AS(c->record_verdict(receipt, f.brand_token, network, "confirmed", ""), api::Forbidden);
  CHECK_THROWS_AS(c->record_verdict(receipt, f.investigator, "N0000000000000000", "confirmed", ""), api::NotFound);
  CHECK_THROWS_AS(c->record_verdict(receipt, f.investigator, network, "guilty", ""), api::BadRequest);
  CHECK(journal_entries(server.journal()).empty());

  c->record_verdict(receipt, f.investigator, network, "confirmed", "test-buys and a raid, case 17");
  CHECK(receipt.sequence == 1);
  CHECK(receipt.outcome == "confirmed");
  CHECK(receipt.run == "run2");
  CHECK(receipt.members > 0);
  CHECK(receipt.members <= page.networks[0].members);
  std::vector<store::FeedbackEntry> entries = journal_entries(server.journal());
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].type == store::FeedbackEntry::Type::kVerdict);
  CHECK(entries[0].network == network);
  CHECK(entries[0].note == "test-buys and a raid, case 17");
  CHECK(entries[0].members.size() == static_cast<std::size_t>(receipt.members));
  CHECK(entries[0].members[0].find(':') != std::string::npos);
  server.stop();
  CHECK(run_sourcetrace({"audit", "verify", server.audit()}).exit_code == 0);
  CHECK(read_file(server.audit()).find("\"call\":\"record_verdict\"") != std::string::npos);
}

TEST_CASE("service: a server killed -9 during a stream of submissions loses no acknowledged report", "[service]") {
  Fixture& f = fixture();
  TempDir dir;
  const std::string journal = dir / "feedback.jsonl";
  std::set<std::string> acknowledged;
  int killed_mid_stream = 0;
  for (int cycle = 0; cycle < 4; ++cycle) {
    Server server({"--journal", journal, "--write-rate", "100000000", "--max-reports", "10"});
    std::atomic<bool> stop{false};
    std::vector<std::string> acked;
    std::thread writer([&] {
      try {
        Client c(server.port());
        for (int call = 0; !stop; ++call) {
          std::vector<api::Report> batch;
          for (int i = 0; i < 10; ++i) {
            batch.push_back(report(fmt::format("k{}-{}-{}", cycle, call, i), "seller", "S000001", "complaint", ""));
          }
          std::vector<api::ReportReceipt> receipts;
          c->submit_reports(receipts, f.investigator, batch);
          for (const auto& r : receipts) {
            if (r.accepted) acked.push_back(r.report);
          }
        }
      } catch (const std::exception&) {
        // The server died mid-call: that call was never acknowledged.
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + 100 * cycle));
    ::kill(server.pid(), SIGKILL);
    writer.join();
    stop = true;
    killed_mid_stream += acked.empty() ? 0 : 1;
    acknowledged.insert(acked.begin(), acked.end());
  }
  CHECK(killed_mid_stream == 4);
  // Every acknowledged report is in the journal, once, and every line is whole.
  std::vector<store::FeedbackEntry> entries = journal_entries(journal);
  std::set<std::string> in_journal;
  for (const auto& e : entries) CHECK(in_journal.insert(e.report).second);
  std::size_t missing = 0;
  for (const std::string& id : acknowledged) missing += in_journal.count(id) == 0;
  INFO(acknowledged.size() << " acknowledged, " << entries.size() << " in the journal");
  CHECK(missing == 0);
  CHECK(acknowledged.size() >= 40);
  // And a server opens it again (a torn last line, if any, is cut).
  Server last({"--journal", journal});
  Client c(last.port());
  c->ping(f.investigator);
}

TEST_CASE("store: the feedback journal cuts a torn last line and refuses a damaged one", "[store]") {
  TempDir dir;
  const std::string path = dir / "feedback.jsonl";
  {
    auto journal = store::FeedbackJournal::open(path);
    REQUIRE(journal.is_ok());
    std::vector<store::FeedbackEntry> entries(2);
    entries[0].reporter = entries[1].reporter = "ines";
    entries[0].report = "a";
    entries[1].report = "b";
    REQUIRE(journal.value()->append(entries).is_ok());
    CHECK(entries[1].sequence == 2);
    // A second writer is refused while this one holds it.
    auto second = store::FeedbackJournal::open(path);
    CHECK(second.status().code() == Status::Code::kIOError);
  }
  const std::string whole = read_file(path);
  {
    std::ofstream torn(path, std::ios::app);
    torn << "{\"seq\":3,\"time\":\"2026-";  // a crash mid-write
  }
  auto read = store::read_feedback_journal(path);
  REQUIRE(read.is_ok());
  CHECK(read.value().entries.size() == 2);
  CHECK(read.value().bytes == whole.size());
  {
    auto journal = store::FeedbackJournal::open(path);
    REQUIRE(journal.is_ok());
    CHECK(journal.value()->entries() == 2);
    CHECK(journal.value()->find_report("ines", "b").has_value());
  }
  CHECK(read_file(path) == whole);

  {
    std::ofstream damaged(path, std::ios::app);
    damaged << "{\"seq\":3,\"oops\"\n";
  }
  auto refused = store::FeedbackJournal::open(path);
  CHECK(refused.status().code() == Status::Code::kCorrupt);
  CHECK(refused.status().message().find("feedback.jsonl:3:") != std::string::npos);
  CHECK(store::read_feedback_journal(path).status().code() == Status::Code::kCorrupt);
}

TEST_CASE("service: sourcetrace report sends a brand's CSV and names each rejected row by file and line",
          "[service]") {
  Fixture& f = fixture();
  Server server;
  const std::string port = std::to_string(server.port());
  TempDir dir;
  const std::string csv = dir / "reports.csv";
  write_file(csv,
             "report,kind,id,signal,brand,reported_on\n"
             "q1,seller,S000020,test_buy_counterfeit," + f.brand + ",2024-01-03\n"
             "q2,seller,S000021,test_buy_counterfeit,B002,2024-01-03\n"
             "q3,seller,S000022,takedown," + f.brand + ",2024-02-30\n"
             "q1,seller,S000020,test_buy_counterfeit," + f.brand + ",2024-01-03\n");
  const std::string token_file = dir / "token";
  write_file(token_file, f.brand_token + "\n");
  CommandResult sent = run_sourcetrace({"report", csv, "--port", port, "--token-file", token_file, "--batch", "2"});
  INFO(sent.out << sent.err);
  CHECK(sent.exit_code == 65);  // a row was rejected
  CHECK(sent.out.find(csv + ":3: report q2 rejected: column 'brand': 'B002' is not one of this token's brands") !=
        std::string::npos);
  CHECK(sent.out.find(csv + ":4: report q3 rejected: column 'reported_on'") != std::string::npos);
  CHECK(sent.out.find("4 rows sent from " + csv + ": 2 accepted (1 sent before), 2 rejected") != std::string::npos);
  std::vector<store::FeedbackEntry> entries = journal_entries(server.journal());
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].report == "q1");

  // Sent again after fixing the rows: nothing is written twice.
  write_file(csv,
             "report,kind,id,signal,brand,reported_on\n"
             "q1,seller,S000020,test_buy_counterfeit," + f.brand + ",2024-01-03\n"
             "q3,seller,S000022,takedown," + f.brand + ",2024-02-28\n");
  CommandResult again = run_sourcetrace({"report", csv, "--port", port, "--token-file", token_file, "--json"});
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  const auto j = nlohmann::json::parse(again.out);
  CHECK(j["accepted"] == 2);
  CHECK(j["resent"] == 1);
  CHECK(journal_entries(server.journal()).size() == 2);

  // A file that is not CSV of reports: an error naming it, nothing sent.
  write_file(csv, "kind,id\nseller,S1\n");
  CommandResult wrong = run_sourcetrace({"report", csv, "--port", port, "--token-file", token_file});
  CHECK(wrong.exit_code != 0);
  CHECK(wrong.err.find(csv) != std::string::npos);
  CHECK(journal_entries(server.journal()).size() == 2);
}

namespace {

// networks.csv's row of `network` (columns by name), or empty.
std::map<std::string, std::string> network_row(const std::string& run_dir, const std::string& network) {
  const auto rows = read_csv_rows(run_dir + "/networks.csv");
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (rows[i][0] != network) continue;
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < rows[0].size(); ++c) row[rows[0][c]] = rows[i][c];
    return row;
  }
  return {};
}

// The network members.csv puts `entity` in, or "".
std::string network_of(const std::string& run_dir, const api::EntityRef& entity) {
  const auto rows = read_csv_rows(run_dir + "/members.csv");
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (rows[i][1] == entity.kind && rows[i][2] == entity.id) return rows[i][0];
  }
  return "";
}

}  // namespace

TEST_CASE("service: the journal feeds the next run at score: evidence counts and brands change and verdicts label outcomes",
          "[service]") {
  Fixture& f = fixture();
  TempDir dir;
  const std::string journal = dir / "feedback.jsonl";
  // A report from a brand the market has never seen, on a member of the
  // most suspect network, dated on the run's as-of date; and a verdict.
  auto scored = risk::read_risk_file(f.dir / "run2/risk.h5");
  REQUIRE(scored.is_ok());
  const std::string as_of = tables::format_date(scored.value().as_of);
  CommandResult token = run_sourcetrace({"token", "add", f.tokens, "--id", "newbrand", "--role", "brand", "--brand", "B999"});
  REQUIRE(token.exit_code == 0);
  const std::string newbrand = Fixture::trim(token.out);
  std::string network;
  api::EntityRef member;
  std::int32_t labelled = 0;
  {
    Server server({"--journal", journal});
    Client c(server.port());
    api::NetworkPage page;
    c->list_networks(page, newbrand, api::NetworkFilter(), 0, 10);
    CHECK(page.total == 0);  // B999 names nothing yet
    c->list_networks(page, f.investigator, api::NetworkFilter(), 0, 1);
    REQUIRE(!page.networks.empty());
    network = page.networks[0].network;
    api::NetworkDetail detail;
    c->network(detail, f.investigator, network);
    member = detail.members[0].entity;
    std::vector<api::ReportReceipt> receipts;
    c->submit_reports(receipts, newbrand,
                      {report("nb-1", member.kind, member.id, "test_buy_counterfeit", "B999", as_of),
                       report("nb-2", "seller", "NOT-IN-THIS-MARKET", "test_buy_counterfeit", "B999", as_of),
                       report("nb-3", member.kind, member.id, "takedown", "B999", "2999-12-31")});
    REQUIRE(receipts.size() == 3);
    CHECK(receipts[0].accepted);
    CHECK(receipts[1].accepted);
    CHECK_FALSE(receipts[2].accepted);  // a date in the future
    api::VerdictReceipt verdict;
    c->record_verdict(verdict, f.investigator, network, "cleared", "a licensed reseller after all");
    labelled = verdict.members;
  }

  // The same run folder, fed: ingest and detect stay; score and what follows rerun.
  const std::string job = source_path("jobs/default.toml");
  const std::string fed = dir / "fed";
  std::filesystem::copy(f.dir / "run2", fed, std::filesystem::copy_options::recursive);
  const std::map<std::string, std::string> row_before = network_row(fed, network);
  REQUIRE(!row_before.empty());
  CommandResult run = run_sourcetrace({"run", f.dir / "m2", "--out", fed, "--job", job, "--feedback", journal});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.err.find("ingest: up to date") != std::string::npos);
  CHECK(run.err.find("detect: up to date") != std::string::npos);
  CHECK(run.err.find("feedback journal changed") != std::string::npos);
  const auto summary = nlohmann::json::parse(read_file(fed + "/summary.json"));
  const auto& fb = summary["feedback"];
  CHECK(fb["reports"] == 2);
  CHECK(fb["merged"] == 1);
  CHECK(fb["unknown_entity"] == 1);
  CHECK(fb["verdicts"] == 1);
  CHECK(fb["labelled"] == labelled);
  CHECK(fb["negatives"] == labelled);

  // Export reads the merged evidence: the member's network (cut again
  // from the evidence, so its id may be new) names the new brand.
  const std::string member_network = network_of(fed, member);
  REQUIRE(!member_network.empty());
  const std::map<std::string, std::string> row_after = network_row(fed, member_network);
  REQUIRE(!row_after.empty());
  CHECK(row_after.at("brands").find("B999") != std::string::npos);
  CHECK(row_before.at("brands").find("B999") == std::string::npos);

  // The same journal again: nothing reruns; without it, score reruns.
  CommandResult again = run_sourcetrace({"run", f.dir / "m2", "--out", fed, "--job", job, "--feedback", journal});
  REQUIRE(again.exit_code == 0);
  CHECK(again.err.find("score: up to date") != std::string::npos);

  // A job that fits learns from the verdict too: its members are outcomes
  // (cleared: negatives) beside the market's own.
  TempDir jobs;
  write_file(jobs / "fit.toml", "[risk]\nfit = true\nfit_min_per_class = 1\n");
  std::map<bool, nlohmann::json> weights;
  for (bool with_journal : {false, true}) {
    const std::string out = dir / (with_journal ? "fit-fed" : "fit");
    std::filesystem::copy(f.dir / "run2", out, std::filesystem::copy_options::recursive);
    std::vector<std::string> args = {"run", f.dir / "m2", "--out", out, "--job", jobs / "fit.toml"};
    if (with_journal) args.insert(args.end(), {"--feedback", journal});
    CommandResult fitted = run_sourcetrace(args);
    INFO(fitted.err);
    REQUIRE(fitted.exit_code == 0);
    weights[with_journal] = nlohmann::json::parse(read_file(out + "/summary.json"))["weights"];
  }
  INFO(weights[false].dump() << " / " << weights[true].dump());
  CHECK(weights[true]["negatives"].get<int>() > weights[false]["negatives"].get<int>());
  CHECK_FALSE(weights[true]["why"].get<std::string>().empty());

  // The service reads the same merged evidence: the new brand now sees the network.
  const std::string runs = dir / "runs";
  REQUIRE(run_sourcetrace({"publish", fed, "--to", runs}).exit_code == 0);
  {
    Server server({}, runs);
    Client c(server.port());
    api::NetworkPage page;
    c->list_networks(page, newbrand, api::NetworkFilter(), 0, 10);
    REQUIRE(page.total == 1);
    CHECK(page.networks[0].network == member_network);
    CHECK(page.networks[0].evidence == std::stoi(row_after.at("evidence")));
    api::EntityDetail detail;
    c->entity(detail, newbrand, member, 0, 1);
    CHECK(std::any_of(detail.evidence.begin(), detail.evidence.end(), [](const api::EvidenceCount& e) {
      return e.signal == "test_buy_counterfeit" && e.brand == "B999" && e.rows == 1;
    }));
  }
}
