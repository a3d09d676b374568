// InvestigatorHandler: the service's calls, as the server runs them.
//
// Each call, in order: the token is authenticated (unknown or revoked:
// Forbidden); a slot among `max_in_flight` calls is taken (none free:
// ServerBusy, so a burst cannot queue unbounded work); the served snapshot
// is taken once (a publish swapping it mid-call does not change this
// call's answer); the query runs on it with the token's scope and the
// limits, its deadline `deadline_ms` from now; and the call, allowed or
// not, is appended to the audit log with its arguments and the size of its
// result or its error. The token's secret never reaches the log: the
// token's id does.
//
// Writes (submit_reports, record_verdict) go to the feedback journal
// (store/feedback_journal.hpp) and are answered only once it has them on
// disk; each token may write `rows_per_minute` rows (RateLimited beyond).
//
// Thread-safe: the server calls one handler from every connection's thread.
// What it shares is immutable (a snapshot, a token table) behind atomic
// shared pointers that `ServiceState` swaps whole.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "sourcetrace/service/api/Investigator.h"
#include "sourcetrace/service/audit_log.hpp"
#include "sourcetrace/service/run_snapshot.hpp"
#include "sourcetrace/service/token_store.hpp"
#include "sourcetrace/service/write_rate.hpp"
#include "sourcetrace/store/feedback_journal.hpp"

namespace sourcetrace::service {

struct ServiceLimits {
  Limits query;              // page size, hops, paths, nodes visited
  int deadline_ms = 5000;    // per call
  int max_in_flight = 64;    // calls running at once
  int max_reports = 1000;    // reports in one submit_reports call
  int max_note_bytes = 4000; // a verdict's note
  std::int64_t rows_per_minute = 6000;  // rows one token may write (>= max_reports)
};

// What every connection shares. The snapshot and the tokens are replaced
// whole (publish, SIGHUP); calls in flight keep the ones they started with.
class ServiceState {
 public:
  ServiceState(std::shared_ptr<const RunSnapshot> snapshot, std::shared_ptr<const TokenStore> tokens,
               std::unique_ptr<AuditLog> audit, std::unique_ptr<store::FeedbackJournal> journal,
               ServiceLimits limits);

  // A mutex, not std::atomic<std::shared_ptr>: libstdc++ 12 implements
  // that with a lock bit ThreadSanitizer cannot see (it reports a race on
  // every swap), and one uncontended lock per call costs nothing here.
  std::shared_ptr<const RunSnapshot> snapshot() const {
    std::lock_guard lock(swap_);
    return snapshot_;
  }
  void set_snapshot(std::shared_ptr<const RunSnapshot> s) {
    std::lock_guard lock(swap_);
    snapshot_.swap(s);
  }
  std::shared_ptr<const TokenStore> tokens() const {
    std::lock_guard lock(swap_);
    return tokens_;
  }
  void set_tokens(std::shared_ptr<const TokenStore> t) {
    std::lock_guard lock(swap_);
    tokens_.swap(t);
  }
  AuditLog& audit() { return *audit_; }
  store::FeedbackJournal& journal() { return *journal_; }
  WriteRate& write_rate() { return write_rate_; }
  const ServiceLimits& limits() const { return limits_; }
  std::atomic<int>& in_flight() { return in_flight_; }

 private:
  mutable std::mutex swap_;
  std::shared_ptr<const RunSnapshot> snapshot_;
  std::shared_ptr<const TokenStore> tokens_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<store::FeedbackJournal> journal_;
  ServiceLimits limits_;
  WriteRate write_rate_;
  std::atomic<int> in_flight_{0};
};

class InvestigatorHandler : public api::InvestigatorIf {
 public:
  explicit InvestigatorHandler(ServiceState& state) : state_(state) {}

  void ping(const std::string& token) override;
  void run_info(api::RunInfo& out, const std::string& token) override;
  void list_networks(api::NetworkPage& out, const std::string& token, const api::NetworkFilter& filter,
                     std::int32_t offset, std::int32_t limit) override;
  void network(api::NetworkDetail& out, const std::string& token, const std::string& network) override;
  void entity(api::EntityDetail& out, const std::string& token, const api::EntityRef& entity,
              std::int32_t neighbours_offset, std::int32_t neighbours_limit) override;
  void paths(api::PathResult& out, const std::string& token, const api::EntityRef& source,
             const api::EntityRef& destination, std::int32_t max_hops, std::int32_t max_paths) override;
  void network_graph(api::NetworkGraph& out, const std::string& token, const std::string& network,
                     std::int32_t max_nodes) override;
  void trace(api::Trace& out, const std::string& token, const api::EntityRef& entity, std::int32_t max_hops) override;
  void targets(api::TargetPage& out, const std::string& token, std::int32_t offset, std::int32_t limit) override;
  void target(api::Target& out, const std::string& token, std::int32_t rank) override;
  void changes(api::ChangePage& out, const std::string& token, std::int32_t offset, std::int32_t limit) override;
  void alerts(api::AlertPage& out, const std::string& token, std::int32_t offset, std::int32_t limit) override;
  void submit_reports(std::vector<api::ReportReceipt>& out, const std::string& token,
                      const std::vector<api::Report>& reports) override;
  void record_verdict(api::VerdictReceipt& out, const std::string& token, const std::string& network,
                      const std::string& outcome, const std::string& note) override;

 // Not a Thrift call: the web view's case-file download (case_file.hpp),
  // authenticated, scoped and audited as one.
  void case_file(std::string& html, const std::string& token, const std::string& network);

 private:
  ServiceState& state_;
};

}  // namespace sourcetrace::service
