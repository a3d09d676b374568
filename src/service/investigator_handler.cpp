// InvestigatorHandler: authenticate, take a slot, query the snapshot, audit.
#include "sourcetrace/service/investigator_handler.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <utility>

#include "sourcetrace/service/case_file.hpp"
#include "sourcetrace/tables/fields.hpp"
#include "sourcetrace/tables/table_reader.hpp"

namespace sourcetrace::service {

ServiceState::ServiceState(std::shared_ptr<const RunSnapshot> snapshot, std::shared_ptr<const TokenStore> tokens,
                           std::unique_ptr<AuditLog> audit, std::unique_ptr<store::FeedbackJournal> journal,
                           ServiceLimits limits)
    : snapshot_(std::move(snapshot)),
      tokens_(std::move(tokens)),
      audit_(std::move(audit)),
      journal_(std::move(journal)),
      limits_(limits),
      write_rate_(limits.rows_per_minute) {}

namespace {

using nlohmann::json;

json ref_json(const api::EntityRef& e) { return e.kind + ":" + e.id; }

// One call's bookkeeping: the slot it holds and what goes to the audit log.
class Call {
 public:
  Call(ServiceState& state, const char* name, const std::string& token, json args)
      : state_(state), entry_{} {
    entry_.call = name;
    entry_.args = std::move(args);
    entry_.token_id = "-";
    auto tokens = state_.tokens();
    auto grant = tokens ? tokens->authenticate(token) : std::nullopt;
    if (!grant) fail<api::Forbidden>("Forbidden", "unknown or revoked token");
    entry_.token_id = grant->id;
    scope_.everything = grant->investigator;
    scope_.brands = grant->brands;
    if (state_.in_flight().fetch_add(1) >= state_.limits().max_in_flight) {
      state_.in_flight().fetch_sub(1);
      api::ServerBusy busy;
      busy.message = "too many calls in flight; retry shortly";
      busy.retry_after_ms = 100;
      record_error("ServerBusy", busy.message);
      throw busy;
    }
    holds_slot_ = true;
    limits_ = state_.limits().query;
    limits_.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(state_.limits().deadline_ms);
    snapshot_ = state_.snapshot();
  }
  ~Call() {
    if (holds_slot_) state_.in_flight().fetch_sub(1);
  }
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  const RunSnapshot& snapshot() const { return *snapshot_; }
  const Scope& scope() const { return scope_; }
  const Limits& limits() const { return limits_; }
  const std::string& token_id() const { return entry_.token_id; }
  bool investigator() const { return scope_.everything; }

  // Takes `rows` of the token's write rate, or throws RateLimited.
  void take_rows(std::int64_t rows) {
    const std::int64_t wait = state_.write_rate().take(entry_.token_id, rows);
    if (wait == 0) return;
    api::RateLimited e;
    e.limit = state_.write_rate().limit();
    e.retry_after_ms = static_cast<std::int32_t>(std::min<std::int64_t>(wait, INT32_MAX));
    e.message = fmt::format("this token may write {} rows a minute; retry in {} ms", e.limit, e.retry_after_ms);
    throw e;
  }

  // Runs the query; audits its result size or its typed error.
  template <typename Body>
  void run(Body&& body) {
    try {
      const std::size_t size = body();
      entry_.result_size = static_cast<std::int64_t>(size);
      write_audit();
    } catch (const api::NotFound& e) {
      record_error("NotFound", e.message);
      throw;
    } catch (const api::BadRequest& e) {
      record_error("BadRequest", e.message);
      throw;
    } catch (const api::ServerBusy& e) {
      record_error("ServerBusy", e.message);
      throw;
    } catch (const api::RateLimited& e) {
      record_error("RateLimited", e.message);
      throw;
    } catch (const api::Forbidden& e) {
      record_error("Forbidden", e.message);
      throw;
    } catch (const apache::thrift::TApplicationException& e) {
      record_error("InternalError", e.what());
      throw;
    }
  }

 private:
  template <typename Error>
  [[noreturn]] void fail(const char* kind, const std::string& message) {
    record_error(kind, message);
    Error e;
    e.message = message;
    throw e;
  }
  void record_error(const char* kind, const std::string& message) {
    entry_.error = kind;
    entry_.message = message;
    write_audit();
  }
  // A call that cannot be audited is not answered (fail closed): the log is
  // the record an enforcement case relies on.
  void write_audit() {
    Status written = state_.audit().append(entry_);
    if (!written.is_ok()) {
      throw apache::thrift::TApplicationException(apache::thrift::TApplicationException::INTERNAL_ERROR,
                                                  "the call could not be audited: " + written.message());
    }
  }

  ServiceState& state_;
  AuditEntry entry_;
  Scope scope_;
  Limits limits_;
  std::shared_ptr<const RunSnapshot> snapshot_;
  bool holds_slot_ = false;
};

[[noreturn]] void bad_request(const std::string& message, const char* parameter, std::int64_t limit) {
  api::BadRequest e;
  e.message = message;
  e.parameter = parameter;
  e.limit = limit;
  throw e;
}

// Appends to the feedback journal, or fails the call: nothing is answered
// as written unless it is on disk.
void append_or_fail(ServiceState& state, std::vector<store::FeedbackEntry>& entries,
                    std::vector<bool>* resent = nullptr) {
  Status written = state.journal().append(entries, resent);
  if (!written.is_ok()) {
    throw apache::thrift::TApplicationException(apache::thrift::TApplicationException::INTERNAL_ERROR,
                                                "nothing was written: " + written.message());
  }
}

tables::Day today_utc() {
  using namespace std::chrono;
  return static_cast<tables::Day>(
      duration_cast<days>(system_clock::now().time_since_epoch()).count());
}

// Why a report cannot be taken from this caller ("" when it can): the
// table contract's rules for an evidence row, a date not after today, and
// the token's brands. Nothing here looks at the run: whether the entity
// exists, or is hidden from the caller, changes no answer.
std::string refusal(const api::Report& r, const Call& call) {
  if (const char* why = tables::check_report_id(r.report)) return std::string("report: ") + why;
  tables::EvidenceRow row;
  const std::string why =
      tables::parse_evidence_fields({r.entity.kind, r.entity.id, r.signal, r.brand, r.reported_on, ""}, row);
  if (!why.empty()) return why;
  if (row.reported_on > today_utc()) return "column 'reported_on': after today (UTC)";
  if (!call.investigator()) {
    if (r.brand.empty()) return "column 'brand': a brand token must name one of its brands";
    const auto& mine = call.scope().brands;
    if (!std::binary_search(mine.begin(), mine.end(), r.brand)) {
      return "column 'brand': '" + r.brand + "' is not one of this token's brands";
    }
  }
  return "";
}

}  // namespace

void InvestigatorHandler::ping(const std::string& token) {
  Call call(state_, "ping", token, json::object());
  call.run([] { return std::size_t{0}; });
}

void InvestigatorHandler::run_info(api::RunInfo& out, const std::string& token) {
  Call call(state_, "run_info", token, json::object());
  call.run([&] {
    out = call.snapshot().run_info(call.scope());
    return std::size_t{1};
  });
}

void InvestigatorHandler::list_networks(api::NetworkPage& out, const std::string& token,
                                        const api::NetworkFilter& filter, std::int32_t offset, std::int32_t limit) {
  Call call(state_, "list_networks", token,
            {{"min_risk", filter.min_risk}, {"brand", filter.brand}, {"min_members", filter.min_members},
             {"max_members", filter.max_members}, {"offset", offset}, {"limit", limit}});
  call.run([&] {
    out = call.snapshot().list_networks(call.scope(), filter, offset, limit, call.limits());
    return out.networks.size();
  });
}

void InvestigatorHandler::network(api::NetworkDetail& out, const std::string& token, const std::string& network) {
  Call call(state_, "network", token, {{"network", network}});
  call.run([&] {
    out = call.snapshot().network(call.scope(), network, call.limits());
    return out.members.size();
  });
}

void InvestigatorHandler::entity(api::EntityDetail& out, const std::string& token, const api::EntityRef& entity,
                                 std::int32_t neighbours_offset, std::int32_t neighbours_limit) {
  Call call(state_, "entity", token,
            {{"entity", ref_json(entity)}, {"offset", neighbours_offset}, {"limit", neighbours_limit}});
  call.run([&] {
    out = call.snapshot().entity(call.scope(), entity, neighbours_offset, neighbours_limit, call.limits());
    return out.neighbours.size();
  });
}

void InvestigatorHandler::paths(api::PathResult& out, const std::string& token, const api::EntityRef& source,
                                const api::EntityRef& destination, std::int32_t max_hops, std::int32_t max_paths) {
  Call call(state_, "paths", token,
            {{"source", ref_json(source)}, {"destination", ref_json(destination)}, {"max_hops", max_hops},
             {"max_paths", max_paths}});
  call.run([&] {
    out = call.snapshot().paths(call.scope(), source, destination, max_hops, max_paths, call.limits());
    return out.paths.size();
  });
}

void InvestigatorHandler::network_graph(api::NetworkGraph& out, const std::string& token, const std::string& network,
                                        std::int32_t max_nodes) {
  Call call(state_, "network_graph", token, {{"network", network}, {"max_nodes", max_nodes}});
  call.run([&] {
    out = call.snapshot().network_graph(call.scope(), network, max_nodes, call.limits());
    return out.nodes.size();
  });
}

void InvestigatorHandler::trace(api::Trace& out, const std::string& token, const api::EntityRef& entity,
                                std::int32_t max_hops) {
  Call call(state_, "trace", token, {{"entity", ref_json(entity)}, {"max_hops", max_hops}});
  call.run([&] {
    out = call.snapshot().trace(call.scope(), entity, max_hops, call.limits());
    return out.upstream.size() + out.downstream.size() + out.money.size();
  });
}

void InvestigatorHandler::case_file(std::string& html, const std::string& token, const std::string& network) {
  Call call(state_, "case_file", token, {{"network", network}});
  call.run([&] {
    html = case_file_of(call.snapshot(), call.scope(), network, call.limits()).html;
    return std::size_t{1};
  });
}

void InvestigatorHandler::targets(api::TargetPage& out, const std::string& token, std::int32_t offset,
                                  std::int32_t limit) {
  Call call(state_, "targets", token, {{"offset", offset}, {"limit", limit}});
  call.run([&] {
    out = call.snapshot().targets(call.scope(), offset, limit, call.limits());
    return out.targets.size();
  });
}

void InvestigatorHandler::target(api::Target& out, const std::string& token, std::int32_t rank) {
  Call call(state_, "target", token, {{"rank", rank}});
  call.run([&] {
    out = call.snapshot().target(call.scope(), rank);
    return std::size_t{1};
  });
}

void InvestigatorHandler::changes(api::ChangePage& out, const std::string& token, std::int32_t offset,
                                  std::int32_t limit) {
  Call call(state_, "changes", token, {{"offset", offset}, {"limit", limit}});
  call.run([&] {
    out = call.snapshot().changes(call.scope(), offset, limit, call.limits());
    return out.changes.size();
  });
}

void InvestigatorHandler::alerts(api::AlertPage& out, const std::string& token, std::int32_t offset,
                                 std::int32_t limit) {
  Call call(state_, "alerts", token, {{"offset", offset}, {"limit", limit}});
  call.run([&] {
    out = call.snapshot().alerts(call.scope(), offset, limit, call.limits());
    return out.alerts.size();
  });
}

void InvestigatorHandler::submit_reports(std::vector<api::ReportReceipt>& out, const std::string& token,
                                         const std::vector<api::Report>& reports) {
  json rows = json::array();
  for (const api::Report& r : reports) {
    rows.push_back({{"report", r.report}, {"entity", ref_json(r.entity)}, {"signal", r.signal}, {"brand", r.brand},
                    {"reported_on", r.reported_on}});
  }
  Call call(state_, "submit_reports", token, {{"reports", std::move(rows)}});
  call.run([&] {
    const int most = state_.limits().max_reports;
    if (reports.size() > static_cast<std::size_t>(most)) {
      bad_request(fmt::format("at most {} reports in one call", most), "reports", most);
    }
    out.assign(reports.size(), {});
    if (reports.empty()) return std::size_t{0};
    call.take_rows(static_cast<std::int64_t>(reports.size()));
    std::vector<store::FeedbackEntry> entries;
    std::vector<std::size_t> entry_of(reports.size(), SIZE_MAX);
    for (std::size_t i = 0; i < reports.size(); ++i) {
      const api::Report& r = reports[i];
      out[i].report = r.report;
      out[i].reason = refusal(r, call);
      if (!out[i].reason.empty()) continue;
      store::FeedbackEntry e;
      e.type = store::FeedbackEntry::Type::kReport;
      e.reporter = call.token_id();
      e.report = r.report;
      e.kind = r.entity.kind;
      e.id = r.entity.id;
      e.signal = r.signal;
      e.brand = r.brand;
      e.reported_on = r.reported_on;
      entry_of[i] = entries.size();
      entries.push_back(std::move(e));
    }
    std::vector<bool> resent;
    append_or_fail(state_, entries, &resent);
    std::size_t accepted = 0;
    for (std::size_t i = 0; i < reports.size(); ++i) {
      if (entry_of[i] == SIZE_MAX) continue;
      const store::FeedbackEntry& e = entries[entry_of[i]];
      out[i].accepted = true;
      out[i].sequence = static_cast<std::int64_t>(e.sequence);
      out[i].received = e.time;
      out[i].resent = resent[entry_of[i]];
      ++accepted;
    }
    return accepted;
  });
}

void InvestigatorHandler::record_verdict(api::VerdictReceipt& out, const std::string& token,
                                         const std::string& network, const std::string& outcome,
                                         const std::string& note) {
  Call call(state_, "record_verdict", token, {{"network", network}, {"outcome", outcome}, {"note", note}});
  call.run([&] {
    if (!call.investigator()) {
      api::Forbidden e;
      e.message = "only an investigator token records verdicts";
      throw e;
    }
    if (outcome != "confirmed" && outcome != "cleared" && outcome != "inconclusive") {
      bad_request("outcome must be confirmed, cleared or inconclusive", "outcome", 0);
    }
    const int most = state_.limits().max_note_bytes;
    if (note.size() > static_cast<std::size_t>(most)) {
      bad_request(fmt::format("a note of at most {} bytes", most), "note", most);
    }
    store::FeedbackEntry e;
    e.type = store::FeedbackEntry::Type::kVerdict;
    e.members = call.snapshot().verdict_members(network);
    call.take_rows(1);
    e.reporter = call.token_id();
    e.network = network;
    e.outcome = outcome;
    e.note = note;
    e.run = call.snapshot().run_info(call.scope()).run;
    std::vector<store::FeedbackEntry> entries{std::move(e)};
    append_or_fail(state_, entries);
    out.sequence = static_cast<std::int64_t>(entries[0].sequence);
    out.network = network;
    out.outcome = outcome;
    out.run = entries[0].run;
    out.members = static_cast<std::int32_t>(entries[0].members.size());
    out.received = entries[0].time;
    return std::size_t{1};
  });
}

}  // namespace sourcetrace::service
