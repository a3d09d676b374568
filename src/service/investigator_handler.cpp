// InvestigatorHandler: authenticate, take a slot, query the snapshot, audit.
#include "sourcetrace/service/investigator_handler.hpp"

#include <chrono>
#include <nlohmann/json.hpp>
#include <utility>

namespace sourcetrace::service {

ServiceState::ServiceState(std::shared_ptr<const RunSnapshot> snapshot, std::shared_ptr<const TokenStore> tokens,
                           std::unique_ptr<AuditLog> audit, ServiceLimits limits)
    : snapshot_(std::move(snapshot)), tokens_(std::move(tokens)), audit_(std::move(audit)), limits_(limits) {}

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

}  // namespace sourcetrace::service
