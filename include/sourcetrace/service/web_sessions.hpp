// WebSessions: who is signed in to the web view.
//
// A browser must not carry the token in a URL (it lands in history, logs
// and Referer headers) nor in script-readable storage. So sign-in trades
// the token for a session: a random id (32 bytes from OpenSSL's generator)
// that the browser keeps in an HttpOnly cookie, and that maps to the token
// here, in memory only. Every call is still made with the token, so the
// handler authenticates it each time: a token revoked in the tokens file
// ends its sessions at their next request, with nothing to keep in step.
//
// A session ends after `idle` without a request, `lifetime` after sign-in,
// or at sign-out. At most `max_sessions` are held (expired ones are
// dropped first; then sign-in is refused), so sign-ins cannot grow the
// server without bound. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace sourcetrace::service {

struct WebSessionOptions {
  std::chrono::minutes idle{30};
  std::chrono::minutes lifetime{12 * 60};
  std::size_t max_sessions = 10000;
};

class WebSessions {
 public:
  using Clock = std::chrono::steady_clock;

  explicit WebSessions(WebSessionOptions options) : options_(options) {}

  struct Session {
    std::string token;     // the secret, for the calls
    std::string token_id;  // for the audit log
  };

  // A new session for an authenticated token: its id (64 hex digits), or
  // nullopt when max_sessions are open and none has expired.
  std::optional<std::string> open(Session session, Clock::time_point now = Clock::now());
  // The live session of that id, its idle time restarted; nullopt when
  // there is none (never was, expired, closed).
  std::optional<Session> find(const std::string& id, Clock::time_point now = Clock::now());
  void close(const std::string& id);
  std::size_t size() const;

  const WebSessionOptions& options() const { return options_; }

 private:
  struct Entry {
    Session session;
    Clock::time_point opened, last_used;
  };
  bool expired(const Entry& e, Clock::time_point now) const;

  WebSessionOptions options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> sessions_;
};

}  // namespace sourcetrace::service
