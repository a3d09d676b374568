// `/lineage` in a stage file.
#include "sourcetrace/risk/lineage_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <span>

#include "sourcetrace/store/run_file.hpp"

namespace sourcetrace::risk {

namespace {

const std::string kGroup = "/lineage";
const std::string kChanges = "/lineage/changes";
const std::string kAlerts = "/lineage/alerts";

// Reads one dataset into `out`.
template <typename T>
Status read_into(const store::H5File& f, const std::string& dataset, std::vector<T>& out) {
  auto values = f.read_array<T>(dataset);
  if (!values.is_ok()) return values.status();
  out = std::move(values).value();
  return Status::ok();
}

// Offsets (n + 1 of them, from 0, never decreasing, ending at `total`).
bool valid_offsets(const std::vector<std::uint64_t>& offsets, std::size_t n, std::size_t total) {
  if (offsets.size() != n + 1 || offsets.front() != 0 || offsets.back() != total) return false;
  return std::is_sorted(offsets.begin(), offsets.end());
}

}  // namespace

Status write_lineage(store::H5File& f, const LineageRecord& r) {
  ST_RETURN_IF_ERROR(f.create_group(kGroup));
  std::vector<std::uint64_t> id, entry_offsets{0}, entry_other;
  std::vector<std::int32_t> first_seen, entry_day;
  std::vector<std::uint8_t> entry_event;
  for (const NetworkHistory& h : r.networks) {
    id.push_back(h.id);
    first_seen.push_back(h.first_seen);
    for (const LineageEntry& e : h.lineage) {
      entry_event.push_back(static_cast<std::uint8_t>(e.event));
      entry_other.push_back(e.other);
      entry_day.push_back(e.day);
    }
    entry_offsets.push_back(entry_other.size());
  }
  ST_RETURN_IF_ERROR(f.write_array(kGroup + "/id", id));
  ST_RETURN_IF_ERROR(f.write_array(kGroup + "/first_seen", first_seen));
  ST_RETURN_IF_ERROR(f.write_array(kGroup + "/entry_offsets", entry_offsets));
  ST_RETURN_IF_ERROR(f.write_array(kGroup + "/entry_event", entry_event));
  ST_RETURN_IF_ERROR(f.write_array(kGroup + "/entry_other", entry_other));
  ST_RETURN_IF_ERROR(f.write_array(kGroup + "/entry_day", entry_day));
  ST_RETURN_IF_ERROR(f.write_array(kGroup + "/issued", r.chain.issued));
  for (auto [name, value] : {std::pair{"chain", &r.chain.key}, {"previous_run", &r.previous_run},
                             {"previous_digest", &r.previous_digest}, {"risk_digest", &r.risk_digest},
                             {"job_digest", &r.job_digest}}) {
    ST_RETURN_IF_ERROR(f.write_attribute(kGroup, name, *value));
  }
  ST_RETURN_IF_ERROR(f.write_attribute(kGroup, "night", static_cast<std::int64_t>(r.chain.night)));
  ST_RETURN_IF_ERROR(f.write_attribute(kGroup, "as_of", std::int64_t{r.as_of}));
  ST_RETURN_IF_ERROR(f.write_attribute(kGroup, "previous_as_of", std::int64_t{r.previous_as_of}));

  ST_RETURN_IF_ERROR(f.create_group(kChanges));
  std::vector<std::uint64_t> change_id, other_offsets{0}, others;
  std::vector<std::uint8_t> change;
  std::vector<std::uint32_t> members_before, members_after, new_evidence;
  std::vector<double> risk_before, risk_after;
  for (const ChangeRow& c : r.changes) {
    change_id.push_back(c.id);
    change.push_back(static_cast<std::uint8_t>(c.change));
    others.insert(others.end(), c.others.begin(), c.others.end());
    other_offsets.push_back(others.size());
    members_before.push_back(c.members_before);
    members_after.push_back(c.members_after);
    risk_before.push_back(c.risk_before);
    risk_after.push_back(c.risk_after);
    new_evidence.push_back(c.new_evidence);
  }
  ST_RETURN_IF_ERROR(f.write_array(kChanges + "/id", change_id));
  ST_RETURN_IF_ERROR(f.write_array(kChanges + "/change", change));
  ST_RETURN_IF_ERROR(f.write_array(kChanges + "/other_offsets", other_offsets));
  ST_RETURN_IF_ERROR(f.write_array(kChanges + "/others", others));
  ST_RETURN_IF_ERROR(f.write_array(kChanges + "/members_before", members_before));
  ST_RETURN_IF_ERROR(f.write_array(kChanges + "/members_after", members_after));
  ST_RETURN_IF_ERROR(f.write_array(kChanges + "/risk_before", risk_before));
  ST_RETURN_IF_ERROR(f.write_array(kChanges + "/risk_after", risk_after));
  ST_RETURN_IF_ERROR(f.write_array(kChanges + "/new_evidence", new_evidence));

  ST_RETURN_IF_ERROR(f.create_group(kAlerts));
  std::vector<std::uint8_t> alert_kind;
  std::vector<std::uint64_t> alert_network, reason_offsets{0};
  std::vector<std::uint32_t> alert_entity;
  std::vector<double> alert_risk;
  std::string reasons;
  for (const Alert& a : r.alerts) {
    alert_kind.push_back(static_cast<std::uint8_t>(a.kind));
    alert_network.push_back(a.network);
    alert_entity.push_back(a.entity);
    alert_risk.push_back(a.risk);
    reasons += a.reason;
    reason_offsets.push_back(reasons.size());
  }
  ST_RETURN_IF_ERROR(f.write_array(kAlerts + "/kind", alert_kind));
  ST_RETURN_IF_ERROR(f.write_array(kAlerts + "/network", alert_network));
  ST_RETURN_IF_ERROR(f.write_array(kAlerts + "/entity", alert_entity));
  ST_RETURN_IF_ERROR(f.write_array(kAlerts + "/risk", alert_risk));
  ST_RETURN_IF_ERROR(f.write_array(kAlerts + "/reason_offsets", reason_offsets));
  return f.write_array(kAlerts + "/reason_bytes",
                       std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(reasons.data()),
                                                     reasons.size()));
}

Result<LineageRecord> read_lineage(const store::H5File& f) {
  if (!f.exists(kGroup)) return Status::corrupt(f.path() + ": no /lineage group (run `sourcetrace run` again)");
  auto damaged = [&](std::string_view what) { return Status::corrupt(fmt::format("{}: /lineage {}", f.path(), what)); };
  LineageRecord r;
  std::vector<std::uint64_t> id, entry_offsets, entry_other;
  std::vector<std::int32_t> first_seen, entry_day;
  std::vector<std::uint8_t> entry_event;
  ST_RETURN_IF_ERROR(read_into(f, kGroup + "/id", id));
  ST_RETURN_IF_ERROR(read_into(f, kGroup + "/first_seen", first_seen));
  ST_RETURN_IF_ERROR(read_into(f, kGroup + "/entry_offsets", entry_offsets));
  ST_RETURN_IF_ERROR(read_into(f, kGroup + "/entry_event", entry_event));
  ST_RETURN_IF_ERROR(read_into(f, kGroup + "/entry_other", entry_other));
  ST_RETURN_IF_ERROR(read_into(f, kGroup + "/entry_day", entry_day));
  ST_RETURN_IF_ERROR(read_into(f, kGroup + "/issued", r.chain.issued));
  const std::size_t n = id.size(), entries = entry_other.size();
  if (first_seen.size() != n || entry_event.size() != entries || entry_day.size() != entries ||
      !valid_offsets(entry_offsets, n, entries)) {
    return damaged("arrays of inconsistent length");
  }
  if (std::any_of(entry_event.begin(), entry_event.end(), [](std::uint8_t e) { return e > 1; })) {
    return damaged("entry_event out of range");
  }
  r.networks.resize(n);
  for (std::size_t c = 0; c < n; ++c) {
    NetworkHistory& h = r.networks[c];
    h.id = id[c];
    h.first_seen = first_seen[c];
    for (std::uint64_t e = entry_offsets[c]; e < entry_offsets[c + 1]; ++e) {
      h.lineage.push_back({static_cast<LineageEvent>(entry_event[e]), entry_other[e], entry_day[e]});
    }
  }
  for (auto [name, value] : {std::pair{"chain", &r.chain.key}, {"previous_run", &r.previous_run},
                             {"previous_digest", &r.previous_digest}, {"risk_digest", &r.risk_digest},
                             {"job_digest", &r.job_digest}}) {
    auto text = f.read_string_attribute(kGroup, name);
    if (!text.is_ok()) return text.status();
    *value = std::move(text).value();
  }
  auto night = f.read_int_attribute(kGroup, "night");
  auto as_of = f.read_int_attribute(kGroup, "as_of");
  auto previous_as_of = f.read_int_attribute(kGroup, "previous_as_of");
  for (const Status* s : {&night.status(), &as_of.status(), &previous_as_of.status()}) {
    if (!s->is_ok()) return *s;
  }
  r.chain.night = static_cast<std::uint64_t>(night.value());
  r.as_of = static_cast<tables::Day>(as_of.value());
  r.previous_as_of = static_cast<tables::Day>(previous_as_of.value());

  std::vector<std::uint64_t> change_id, other_offsets, others;
  std::vector<std::uint8_t> change;
  std::vector<std::uint32_t> members_before, members_after, new_evidence;
  std::vector<double> risk_before, risk_after;
  ST_RETURN_IF_ERROR(read_into(f, kChanges + "/id", change_id));
  ST_RETURN_IF_ERROR(read_into(f, kChanges + "/change", change));
  ST_RETURN_IF_ERROR(read_into(f, kChanges + "/other_offsets", other_offsets));
  ST_RETURN_IF_ERROR(read_into(f, kChanges + "/others", others));
  ST_RETURN_IF_ERROR(read_into(f, kChanges + "/members_before", members_before));
  ST_RETURN_IF_ERROR(read_into(f, kChanges + "/members_after", members_after));
  ST_RETURN_IF_ERROR(read_into(f, kChanges + "/risk_before", risk_before));
  ST_RETURN_IF_ERROR(read_into(f, kChanges + "/risk_after", risk_after));
  ST_RETURN_IF_ERROR(read_into(f, kChanges + "/new_evidence", new_evidence));
  const std::size_t k = change_id.size();
  for (std::size_t size : {change.size(), members_before.size(), members_after.size(), risk_before.size(),
                           risk_after.size(), new_evidence.size()}) {
    if (size != k) return damaged("changes arrays of inconsistent length");
  }
  if (!valid_offsets(other_offsets, k, others.size())) return damaged("changes/other_offsets damaged");
  for (std::size_t i = 0; i < k; ++i) {
    if (change[i] > static_cast<std::uint8_t>(NetworkChange::kGone)) return damaged("changes/change out of range");
    ChangeRow row;
    row.id = change_id[i];
    row.change = static_cast<NetworkChange>(change[i]);
    row.others.assign(others.begin() + static_cast<std::ptrdiff_t>(other_offsets[i]),
                      others.begin() + static_cast<std::ptrdiff_t>(other_offsets[i + 1]));
    row.members_before = members_before[i];
    row.members_after = members_after[i];
    row.risk_before = risk_before[i];
    row.risk_after = risk_after[i];
    row.new_evidence = new_evidence[i];
    r.changes.push_back(std::move(row));
  }

  std::vector<std::uint8_t> alert_kind, reason_bytes;
  std::vector<std::uint64_t> alert_network, reason_offsets;
  std::vector<std::uint32_t> alert_entity;
  std::vector<double> alert_risk;
  ST_RETURN_IF_ERROR(read_into(f, kAlerts + "/kind", alert_kind));
  ST_RETURN_IF_ERROR(read_into(f, kAlerts + "/network", alert_network));
  ST_RETURN_IF_ERROR(read_into(f, kAlerts + "/entity", alert_entity));
  ST_RETURN_IF_ERROR(read_into(f, kAlerts + "/risk", alert_risk));
  ST_RETURN_IF_ERROR(read_into(f, kAlerts + "/reason_offsets", reason_offsets));
  ST_RETURN_IF_ERROR(read_into(f, kAlerts + "/reason_bytes", reason_bytes));
  const std::size_t a = alert_kind.size();
  if (alert_network.size() != a || alert_entity.size() != a || alert_risk.size() != a ||
      !valid_offsets(reason_offsets, a, reason_bytes.size())) {
    return damaged("alerts arrays of inconsistent length");
  }
  for (std::size_t i = 0; i < a; ++i) {
    if (alert_kind[i] > static_cast<std::uint8_t>(AlertKind::kNewEvidence)) return damaged("alerts/kind out of range");
    Alert alert;
    alert.kind = static_cast<AlertKind>(alert_kind[i]);
    alert.network = alert_network[i];
    alert.entity = alert_entity[i];
    alert.risk = alert_risk[i];
    alert.reason.assign(reason_bytes.begin() + static_cast<std::ptrdiff_t>(reason_offsets[i]),
                        reason_bytes.begin() + static_cast<std::ptrdiff_t>(reason_offsets[i + 1]));
    r.alerts.push_back(std::move(alert));
  }
  return r;
}

Result<LineageRecord> read_lineage_file(const std::string& path) {
  auto file = store::open_run_file(path);
  if (!file.is_ok()) return file.status();
  return read_lineage(file.value());
}

}  // namespace sourcetrace::risk
