// Feedback evidence: the journal's reports and verdicts as a run takes them.
#include "sourcetrace/risk/feedback_evidence.hpp"

#include <algorithm>
#include <map>
#include <unordered_set>

#include "sourcetrace/entity.hpp"
#include "sourcetrace/store/graph_file.hpp"
#include "sourcetrace/tables/fields.hpp"

namespace sourcetrace::risk {

namespace {

using graph::KeyIndex;
using graph::VertexId;

// Entity "kind:id" (a verdict's members) or kind and id apart (a report).
VertexId find_entity(const KeyIndex& entities, std::string_view kind, std::string_view id) {
  const auto k = parse_entity_kind(kind);
  if (!k) return KeyIndex::kAbsent;
  return entities.find(static_cast<std::uint8_t>(*k), id);
}

// A dictionary as the market keeps one: entry 0 is "".
KeyIndex dictionary() {
  KeyIndex d;
  d.intern(0, "");
  return d;
}

}  // namespace

FeedbackEvidence take_feedback(const graph::MarketGraph& market, const store::FeedbackSnapshot& journal,
                               tables::Day as_of) {
  FeedbackEvidence f;
  f.journal_bytes = journal.bytes;
  f.journal_digest = journal.digest;
  const KeyIndex entities = KeyIndex::from(market.entities);
  // The market's own (reporter, report id) pairs: a report that reached
  // the platform's export too is already there.
  std::unordered_set<std::string> in_market;
  for (std::size_t i = 0; i < market.evidence.report.size(); ++i) {
    if (market.evidence.report[i] == 0) continue;
    in_market.insert(store::report_key(graph::dictionary_entry(market.reporters, market.evidence.reporter[i]),
                                       graph::dictionary_entry(market.reports, market.evidence.report[i])));
  }
  KeyIndex brands = dictionary(), reporters = dictionary(), reports = dictionary();
  // Verdicts: the newest on an entity wins (journal order is time order).
  std::map<VertexId, bool> label;
  for (const store::FeedbackEntry& e : journal.entries) {
    if (e.type == store::FeedbackEntry::Type::kVerdict) {
      ++f.counts.verdicts;
      if (e.outcome != "confirmed" && e.outcome != "cleared") continue;
      for (const std::string& member : e.members) {
        const auto colon = member.find(':');
        if (colon == std::string::npos) continue;
        const VertexId v = find_entity(entities, std::string_view(member).substr(0, colon),
                                       std::string_view(member).substr(colon + 1));
        if (v == KeyIndex::kAbsent) continue;
        label[v] = e.outcome == "confirmed";
      }
      continue;
    }
    ++f.counts.reports;
    tables::Day day = 0;
    const auto signal = tables::parse_enum<tables::Signal>(e.signal, tables::kSignalNames);
    if (tables::parse_date(e.reported_on, day) != nullptr || !signal) {
      ++f.counts.invalid;  // the server checks both: a line it did not write
      continue;
    }
    if (day > as_of) {
      ++f.counts.after_as_of;
      continue;
    }
    const VertexId v = find_entity(entities, e.kind, e.id);
    if (v == KeyIndex::kAbsent) {
      ++f.counts.unknown_entity;
      continue;
    }
    if (in_market.count(store::report_key(e.reporter, e.report)) != 0) {
      ++f.counts.already_in_market;
      continue;
    }
    ++f.counts.merged;
    f.rows.entity.push_back(v);
    f.rows.signal.push_back(static_cast<std::uint8_t>(*signal));
    f.rows.brand.push_back(brands.intern(0, e.brand));
    f.rows.day.push_back(day);
    f.rows.reporter.push_back(reporters.intern(0, e.reporter));
    f.rows.report.push_back(reports.intern(0, e.report));
  }
  for (const auto& [v, confirmed] : label) {  // by vertex id
    f.label_entity.push_back(v);
    f.label_confirmed.push_back(confirmed ? 1 : 0);
    ++(confirmed ? f.counts.positives : f.counts.negatives);
  }
  f.counts.labelled = static_cast<std::uint32_t>(label.size());
  f.brands = brands.take();
  f.reporters = reporters.take();
  f.reports = reports.take();
  return f;
}

Status merge_feedback(graph::MarketGraph& market, const FeedbackEvidence& feedback) {
  const VertexId n = market.num_entities();
  const auto outside = [n](VertexId v) { return v >= n; };
  if (std::any_of(feedback.rows.entity.begin(), feedback.rows.entity.end(), outside) ||
      std::any_of(feedback.label_entity.begin(), feedback.label_entity.end(), outside)) {
    return Status::corrupt("the feedback a run took names entities its graph does not have");
  }
  if (feedback.rows.size() == 0) return Status::ok();
  KeyIndex brands = KeyIndex::from(std::move(market.brands));
  KeyIndex reporters = KeyIndex::from(std::move(market.reporters));
  KeyIndex reports = KeyIndex::from(std::move(market.reports));
  graph::EvidenceTable& e = market.evidence;
  e.report.resize(e.size(), 0);
  for (std::size_t i = 0; i < feedback.rows.size(); ++i) {
    e.entity.push_back(feedback.rows.entity[i]);
    e.signal.push_back(feedback.rows.signal[i]);
    e.brand.push_back(brands.intern(0, graph::dictionary_entry(feedback.brands, feedback.rows.brand[i])));
    e.day.push_back(feedback.rows.day[i]);
    e.reporter.push_back(reporters.intern(0, graph::dictionary_entry(feedback.reporters, feedback.rows.reporter[i])));
    e.report.push_back(reports.intern(0, graph::dictionary_entry(feedback.reports, feedback.rows.report[i])));
  }
  market.brands = brands.take();
  market.reporters = reporters.take();
  market.reports = reports.take();
  return Status::ok();
}

namespace {

constexpr const char* kGroup = "/risk/feedback";

struct CountField {
  const char* name;
  std::uint32_t FeedbackCounts::*field;
};
constexpr CountField kCounts[] = {
    {"reports", &FeedbackCounts::reports},
    {"merged", &FeedbackCounts::merged},
    {"after_as_of", &FeedbackCounts::after_as_of},
    {"unknown_entity", &FeedbackCounts::unknown_entity},
    {"already_in_market", &FeedbackCounts::already_in_market},
    {"invalid", &FeedbackCounts::invalid},
    {"verdicts", &FeedbackCounts::verdicts},
    {"labelled", &FeedbackCounts::labelled},
    {"positives", &FeedbackCounts::positives},
    {"negatives", &FeedbackCounts::negatives},
};

}  // namespace

Status write_feedback(store::H5File& file, const FeedbackEvidence& f) {
  ST_RETURN_IF_ERROR(file.create_group(kGroup));
  const std::string g = kGroup;
  ST_RETURN_IF_ERROR(file.write_attribute(g, "journal_bytes", static_cast<std::int64_t>(f.journal_bytes)));
  ST_RETURN_IF_ERROR(file.write_attribute(g, "journal_digest", f.journal_digest));
  for (const CountField& c : kCounts) {
    ST_RETURN_IF_ERROR(file.write_attribute(g, c.name, static_cast<std::int64_t>(f.counts.*c.field)));
  }
  ST_RETURN_IF_ERROR(file.write_array(g + "/entity", f.rows.entity));
  ST_RETURN_IF_ERROR(file.write_array(g + "/signal", f.rows.signal));
  ST_RETURN_IF_ERROR(file.write_array(g + "/brand", f.rows.brand));
  ST_RETURN_IF_ERROR(file.write_array(g + "/day", f.rows.day));
  ST_RETURN_IF_ERROR(file.write_array(g + "/reporter", f.rows.reporter));
  ST_RETURN_IF_ERROR(file.write_array(g + "/report", f.rows.report));
  ST_RETURN_IF_ERROR(store::write_dictionary(file, g + "/brands", f.brands));
  ST_RETURN_IF_ERROR(store::write_dictionary(file, g + "/reporters", f.reporters));
  ST_RETURN_IF_ERROR(store::write_dictionary(file, g + "/reports", f.reports));
  ST_RETURN_IF_ERROR(file.write_array(g + "/label_entity", f.label_entity));
  return file.write_array(g + "/label_confirmed", f.label_confirmed);
}

Result<FeedbackEvidence> read_feedback(const store::H5File& file) {
  FeedbackEvidence f;
  if (!file.exists(kGroup)) return f;
  const std::string g = kGroup;
  auto bytes = file.read_int_attribute(g, "journal_bytes");
  auto digest = file.read_string_attribute(g, "journal_digest");
  if (!bytes.is_ok()) return bytes.status();
  if (!digest.is_ok()) return digest.status();
  f.journal_bytes = static_cast<std::uint64_t>(bytes.value());
  f.journal_digest = digest.value();
  for (const CountField& c : kCounts) {
    auto v = file.read_int_attribute(g, c.name);
    if (!v.is_ok()) return v.status();
    f.counts.*c.field = static_cast<std::uint32_t>(v.value());
  }
  auto entity = file.read_array<std::uint32_t>(g + "/entity");
  auto signal = file.read_array<std::uint8_t>(g + "/signal");
  auto brand = file.read_array<std::uint32_t>(g + "/brand");
  auto day = file.read_array<std::int32_t>(g + "/day");
  auto reporter = file.read_array<std::uint32_t>(g + "/reporter");
  auto report = file.read_array<std::uint32_t>(g + "/report");
  auto brands = store::read_dictionary(file, g + "/brands");
  auto reporters = store::read_dictionary(file, g + "/reporters");
  auto reports = store::read_dictionary(file, g + "/reports");
  auto label_entity = file.read_array<std::uint32_t>(g + "/label_entity");
  auto label_confirmed = file.read_array<std::uint8_t>(g + "/label_confirmed");
  for (const Status* s : {&entity.status(), &signal.status(), &brand.status(), &day.status(), &reporter.status(),
                          &report.status(), &brands.status(), &reporters.status(), &reports.status(),
                          &label_entity.status(), &label_confirmed.status()}) {
    if (!s->is_ok()) return *s;
  }
  f.rows.entity = std::move(entity).value();
  f.rows.signal = std::move(signal).value();
  f.rows.brand = std::move(brand).value();
  f.rows.day = std::move(day).value();
  f.rows.reporter = std::move(reporter).value();
  f.rows.report = std::move(report).value();
  f.brands = std::move(brands).value();
  f.reporters = std::move(reporters).value();
  f.reports = std::move(reports).value();
  f.label_entity = std::move(label_entity).value();
  f.label_confirmed = std::move(label_confirmed).value();
  const std::size_t n = f.rows.entity.size();
  const auto entries = [](const graph::KeyIndex::Blob& b) { return b.offsets.size() - 1; };
  bool consistent = f.rows.signal.size() == n && f.rows.brand.size() == n && f.rows.day.size() == n &&
                    f.rows.reporter.size() == n && f.rows.report.size() == n &&
                    f.label_entity.size() == f.label_confirmed.size();
  for (std::size_t i = 0; consistent && i < n; ++i) {
    consistent = f.rows.signal[i] < tables::kSignalNames.size() && f.rows.brand[i] < entries(f.brands) &&
                 f.rows.reporter[i] < entries(f.reporters) && f.rows.report[i] < entries(f.reports);
  }
  if (!consistent) return Status::corrupt(file.path() + ": " + g + " does not hold together");
  return f;
}

}  // namespace sourcetrace::risk
