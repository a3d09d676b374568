// WebSessions: random ids in a map, expiry checked on use.
#include "sourcetrace/service/web_sessions.hpp"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace sourcetrace::service {

bool WebSessions::expired(const Entry& e, Clock::time_point now) const {
  return now - e.last_used >= options_.idle || now - e.opened >= options_.lifetime;
}

std::optional<std::string> WebSessions::open(Session session, Clock::time_point now) {
  std::array<unsigned char, 32> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    throw std::runtime_error("OpenSSL's random generator failed: no session can be opened");
  }
  std::string id;
  for (unsigned char byte : random) id += fmt::format("{:02x}", byte);
  std::lock_guard lock(mutex_);
  if (sessions_.size() >= options_.max_sessions) {
    std::erase_if(sessions_, [&](const auto& entry) { return expired(entry.second, now); });
    if (sessions_.size() >= options_.max_sessions) return std::nullopt;
  }
  sessions_.emplace(id, Entry{std::move(session), now, now});
  return id;
}

std::optional<WebSessions::Session> WebSessions::find(const std::string& id, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  if (expired(it->second, now)) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_used = now;
  return it->second.session;
}

void WebSessions::close(const std::string& id) {
  std::lock_guard lock(mutex_);
  sessions_.erase(id);
}

std::size_t WebSessions::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace sourcetrace::service
