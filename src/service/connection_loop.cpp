// ConnectionLoop: epoll over every socket on one thread, a pool of workers
// for the calls, OpenSSL in non-blocking mode for TLS.
//
// Each connection moves through four phases:
//   handshake (TLS only) -> reading -> in a call -> writing -> reading ...
// and has one deadline at a time, kept in an ordered set so that the loop
// sleeps exactly until the next one is due.
#include "sourcetrace/service/connection_loop.hpp"
#include "sourcetrace/service/http_message.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sourcetrace::service {

namespace {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

// Allocations from this size up get a mapping of their own (glibc's
// default, fixed: see ConnectionLoop::listen).
constexpr int kFrameMmapThreshold = 128 * 1024;

// epoll's user data: these two ids, or a connection's (from 2 up).
constexpr std::uint64_t kListenId = 0, kWakeId = 1;

std::string openssl_error() {
  char text[256] = "unknown error";
  if (unsigned long e = ERR_get_error()) ERR_error_string_n(e, text, sizeof text);
  ERR_clear_error();
  return text;
}

std::string peer_address(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (address.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(address).sin_addr, text, sizeof text);
  } else if (address.ss_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(address).sin6_addr, text, sizeof text);
  }
  return text;
}

struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};
struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};

Result<std::unique_ptr<SSL_CTX, SslCtxFree>> make_tls_context(const TlsCredentials& tls) {
  std::unique_ptr<SSL_CTX, SslCtxFree> context(SSL_CTX_new(TLS_server_method()));
  if (!context) return Status::internal("TLS: " + openssl_error());
  SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
  // A reply written in pieces as the socket drains; the buffer may move
  // between tries (it is a std::string the loop owns).
  SSL_CTX_set_mode(context.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (SSL_CTX_use_certificate_chain_file(context.get(), tls.certificate.c_str()) != 1) {
    return Status::invalid_argument(
        fmt::format("--tls-cert {}: cannot use it as a PEM certificate: {}", tls.certificate, openssl_error()));
  }
  if (SSL_CTX_use_PrivateKey_file(context.get(), tls.private_key.c_str(), SSL_FILETYPE_PEM) != 1) {
    return Status::invalid_argument(
        fmt::format("--tls-key {}: cannot use it as a PEM private key: {}", tls.private_key, openssl_error()));
  }
  if (SSL_CTX_check_private_key(context.get()) != 1) {
    return Status::invalid_argument(fmt::format("--tls-key {} does not belong to --tls-cert {}: {}", tls.private_key,
                                                tls.certificate, openssl_error()));
  }
  return context;
}

Result<int> listen_socket(const std::string& address, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (int e = ::getaddrinfo(address.c_str(), service.c_str(), &hints, &found); e != 0) {
    return Status::invalid_argument(fmt::format("--bind {}: {}", address, ::gai_strerror(e)));
  }
  std::string failure;
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      failure = std::strerror(errno);
      continue;
    }
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, 1024) != 0) {
      failure = std::strerror(errno);
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0) return Status::cannot_create(fmt::format("cannot listen on {}:{}: {}", address, port, failure));
  return fd;
}

}  // namespace

class ConnectionLoop::Impl {
 public:
  Impl(int listen_fd, std::unique_ptr<SSL_CTX, SslCtxFree> tls, ConnectionLimits limits, FrameHandler handler,
       Framing framing)
      : listen_fd_(listen_fd), tls_(std::move(tls)), limits_(limits), handler_(std::move(handler)), framing_(framing) {
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    watch(listen_fd_, kListenId, EPOLLIN, EPOLL_CTL_ADD);
    watch(wake_fd_, kWakeId, EPOLLIN, EPOLL_CTL_ADD);
  }
  ~Impl() {
    for (auto& [id, c] : connections_) ::close(c->fd);
    if (listen_fd_ >= 0) ::close(listen_fd_);
    ::close(wake_fd_);
    ::close(epoll_fd_);
  }

  int port() const {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
    if (address.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in&>(address).sin_port);
    if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6&>(address).sin6_port);
    return 0;
  }
  const ConnectionCounters& counters() const { return counters_; }

  void stop() {
    stopping_ = true;
    wake();
  }

  void run() {
    std::vector<std::thread> workers;
    for (int i = 0; i < std::max(1, limits_.threads); ++i) workers.emplace_back([this] { work(); });
    bool closing = false;
    epoll_event events[256];
    while (!(closing && connections_.empty())) {
      const int n = ::epoll_wait(epoll_fd_, events, 256, sleep_ms());
      for (int i = 0; i < n; ++i) {
        const std::uint64_t id = events[i].data.u64;
        if (id == kListenId) {
          accept_all();
        } else if (id == kWakeId) {
          std::uint64_t count = 0;
          [[maybe_unused]] auto drained = ::read(wake_fd_, &count, sizeof count);
        } else if (auto c = connections_.find(id); c != connections_.end()) {
          on_ready(*c->second, events[i].events);
        }
      }
      deliver_replies();
      expire_deadlines();
      if (accept_paused_ && Clock::now() >= accept_resume_) {
        accept_paused_ = false;
        watch(listen_fd_, kListenId, EPOLLIN, EPOLL_CTL_ADD);
      }
      if (stopping_ && !closing) {
        closing = true;
        begin_closing();
      }
    }
    {
      std::lock_guard lock(jobs_mutex_);
      workers_stop_ = true;
    }
    jobs_ready_.notify_all();
    for (auto& w : workers) w.join();
  }

 private:
  enum class Phase { kHandshake, kReading, kInCall, kWriting };

  struct Connection {
    std::uint64_t id = 0;
    int fd = -1;
    std::string peer;
    std::unique_ptr<SSL, SslFree> ssl;
    Phase phase = Phase::kReading;
    std::uint32_t interest = 0;
    std::string in;           // the frame read so far, its length first
    std::string out;          // the reply being written, its length first
    std::size_t written = 0;
    Clock::time_point deadline;
  };

  struct Job {
    std::uint64_t connection;
    std::string frame;
  };
  struct Reply {
    std::uint64_t connection;
    std::optional<std::string> body;
  };

  // --- the loop's side -----------------------------------------------------

  void watch(int fd, std::uint64_t id, std::uint32_t events, int op) {
    epoll_event e{};
    e.events = events;
    e.data.u64 = id;
    ::epoll_ctl(epoll_fd_, op, fd, &e);
  }
  void set_interest(Connection& c, std::uint32_t events) {
    if (c.interest == events) return;
    c.interest = events;
    watch(c.fd, c.id, events, EPOLL_CTL_MOD);
  }
  void set_deadline(Connection& c, std::optional<Clock::time_point> at) {
    deadlines_.erase({c.deadline, c.id});
    if (at) {
      c.deadline = *at;
      deadlines_.insert({c.deadline, c.id});
    }
  }
  int sleep_ms() const {
    auto until = Clock::now() + Millis(1000);
    if (!deadlines_.empty()) until = std::min(until, deadlines_.begin()->first);
    if (accept_paused_) until = std::min(until, accept_resume_);
    const auto ms = std::chrono::ceil<Millis>(until - Clock::now()).count();
    return static_cast<int>(std::max<long long>(0, ms));
  }

  void accept_all() {
    for (;;) {
      sockaddr_storage address{};
      socklen_t length = sizeof address;
      const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length,
                               SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          // Out of descriptors: stop listening a moment rather than spin on
          // a socket that stays readable.
          accept_paused_ = true;
          accept_resume_ = Clock::now() + Millis(100);
          ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
        }
        return;
      }
      if (stopping_ || connections_.size() >= static_cast<std::size_t>(limits_.max_connections)) {
        ++counters_.refused_total;
        ::close(fd);
        continue;
      }
      std::string peer = peer_address(address);
      int& from_peer = per_peer_[peer];
      if (from_peer >= limits_.max_per_peer) {
        ++counters_.refused_per_peer;
        ::close(fd);
        continue;
      }
      ++from_peer;
      ++counters_.accepted;
      const int on = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      auto c = std::make_unique<Connection>();
      c->id = next_id_++;
      c->fd = fd;
      c->peer = std::move(peer);
      c->interest = EPOLLIN;
      if (tls_) {
        c->ssl.reset(SSL_new(tls_.get()));
        if (!c->ssl || SSL_set_fd(c->ssl.get(), fd) != 1) {
          drop_peer(c->peer);
          ::close(fd);
          continue;
        }
        c->phase = Phase::kHandshake;
      }
      watch(fd, c->id, EPOLLIN, EPOLL_CTL_ADD);
      // The handshake and the first byte of a call, both within this.
      set_deadline(*c, Clock::now() + Millis(std::min(limits_.first_byte_ms, limits_.idle_ms)));
      connections_.emplace(c->id, std::move(c));
    }
  }

  void drop_peer(const std::string& peer) {
    auto p = per_peer_.find(peer);
    if (p != per_peer_.end() && --p->second <= 0) per_peer_.erase(p);
  }

  void close_connection(Connection& c) {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    set_deadline(c, std::nullopt);
    drop_peer(c.peer);
    connections_.erase(c.id);  // c is gone after this
  }

  void on_ready(Connection& c, std::uint32_t events) {
    if (events & EPOLLERR) return close_connection(c);
    switch (c.phase) {
      case Phase::kHandshake: return handshake(c);
      case Phase::kReading: return read_frame(c);
      case Phase::kWriting: return write_reply(c);
      case Phase::kInCall:
        // Not reading while the call runs; a peer that hung up is let go
        // now (its reply, when it comes, finds no connection).
        if (events & EPOLLHUP) close_connection(c);
        return;
    }
  }

  // What to wait for after an OpenSSL call that could not finish; false:
  // the connection failed.
  bool wait_for_tls(Connection& c, int result) {
    switch (SSL_get_error(c.ssl.get(), result)) {
      case SSL_ERROR_WANT_READ:
        set_interest(c, EPOLLIN);
        return true;
      case SSL_ERROR_WANT_WRITE:
        set_interest(c, EPOLLOUT);
        return true;
      default:
        ERR_clear_error();
        return false;
    }
  }

  void handshake(Connection& c) {
    const int r = SSL_accept(c.ssl.get());
    if (r == 1) {
      c.phase = Phase::kReading;
      set_interest(c, EPOLLIN);
      return read_frame(c);  // the client's first call may already be buffered
    }
    if (!wait_for_tls(c, r)) close_connection(c);
  }

  // Where the message being read stands: complete at `length` bytes, or
  // `want` more bytes to read, or malformed.
  struct Scan {
    std::size_t length = 0, want = 0;
    bool bad = false;
  };
  Scan scan(const std::string& in) const {
    const auto max = static_cast<std::size_t>(limits_.max_frame_bytes);
    if (framing_ == Framing::kHttp) {
      // A request's end shows only once its headers are read: read what
      // comes, up to the bound (a pipelined next request may come with it
      // and waits in the buffer).
      const std::size_t length = http_request_length(in);
      if (length == kMalformedRequest) return {0, 0, true};
      if (length > 0) return {length, 0, false};
      if (in.size() >= max) return {0, 0, true};
      return {0, max - in.size(), false};
    }
    if (in.size() < 4) return {0, 4 - in.size(), false};
    std::uint32_t length = 0;
    std::memcpy(&length, in.data(), 4);
    length = ntohl(length);
    if (length == 0 || length > max) return {0, 0, true};
    if (in.size() >= 4 + std::size_t{length}) return {4 + std::size_t{length}, 0, false};
    return {0, 4 + std::size_t{length} - in.size(), false};
  }

  // Reads up to the end of one message, never past a Thrift frame, so that
  // the bytes held are at most the message's (HTTP's: at most the bound).
  void read_frame(Connection& c) {
    char buffer[16384];
    for (;;) {
      const Scan at = scan(c.in);
      if (at.bad) {
        ++counters_.bad_frames;
        return close_connection(c);
      }
      if (at.length > 0) return start_call(c, at.length);
      const std::size_t want = std::min(sizeof buffer, at.want);
      int got = 0;
      if (c.ssl) {
        got = SSL_read(c.ssl.get(), buffer, static_cast<int>(want));
        if (got <= 0) {
          if (!wait_for_tls(c, got)) close_connection(c);
          return;
        }
      } else {
        const ssize_t r = ::recv(c.fd, buffer, want, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return set_interest(c, EPOLLIN);
        if (r <= 0) return close_connection(c);
        got = static_cast<int>(r);
      }
      if (c.in.empty()) set_deadline(c, Clock::now() + Millis(limits_.frame_ms));
      c.in.append(buffer, static_cast<std::size_t>(got));
    }
  }

  void start_call(Connection& c, std::size_t length) {
    c.phase = Phase::kInCall;
    set_interest(c, 0);
    set_deadline(c, std::nullopt);
    std::string frame;
    if (length == c.in.size()) {
      frame = std::move(c.in);
      c.in.clear();
    } else {
      frame = c.in.substr(0, length);
      c.in.erase(0, length);
    }
    if (framing_ == Framing::kThrift) frame.erase(0, 4);
    {
      std::lock_guard lock(jobs_mutex_);
      jobs_.push_back({c.id, std::move(frame)});
    }
    jobs_ready_.notify_one();
  }

  void deliver_replies() {
    std::vector<Reply> ready;
    {
      std::lock_guard lock(replies_mutex_);
      ready.swap(replies_);
    }
    for (Reply& r : ready) {
      auto found = connections_.find(r.connection);
      if (found == connections_.end()) continue;
      Connection& c = *found->second;
      if (!r.body) {
        ++counters_.bad_frames;
        close_connection(c);
        continue;
      }
      ++counters_.calls;
      if (framing_ == Framing::kHttp) {
        c.out = std::move(*r.body);
      } else {
        const std::uint32_t length = htonl(static_cast<std::uint32_t>(r.body->size()));
        c.out.assign(reinterpret_cast<const char*>(&length), 4);
        c.out += *r.body;
      }
      c.written = 0;
      c.phase = Phase::kWriting;
      set_deadline(c, Clock::now() + Millis(limits_.write_ms));
      write_reply(c);
    }
  }

  void write_reply(Connection& c) {
    while (c.written < c.out.size()) {
      const char* at = c.out.data() + c.written;
      const std::size_t left = c.out.size() - c.written;
      if (c.ssl) {
        const int r = SSL_write(c.ssl.get(), at, static_cast<int>(std::min<std::size_t>(left, 1 << 30)));
        if (r <= 0) {
          if (!wait_for_tls(c, r)) close_connection(c);
          return;
        }
        c.written += static_cast<std::size_t>(r);
      } else {
        const ssize_t r = ::send(c.fd, at, left, MSG_NOSIGNAL);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return set_interest(c, EPOLLOUT);
        if (r < 0) return close_connection(c);
        c.written += static_cast<std::size_t>(r);
      }
    }
    c.out = std::string();
    if (stopping_) return close_connection(c);
    c.phase = Phase::kReading;
    set_interest(c, EPOLLIN);
    set_deadline(c, Clock::now() + Millis(limits_.idle_ms));
    read_frame(c);  // a next call already sent, or held by TLS
  }

  void expire_deadlines() {
    const auto now = Clock::now();
    while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
      const std::uint64_t id = deadlines_.begin()->second;
      ++counters_.timed_out;
      close_connection(*connections_.at(id));
    }
  }

  void begin_closing() {
    if (!accept_paused_) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
    accept_paused_ = false;
    ::close(listen_fd_);
    listen_fd_ = -1;
    std::vector<Connection*> waiting;
    for (auto& [id, c] : connections_) {
      if (c->phase == Phase::kHandshake || c->phase == Phase::kReading) waiting.push_back(c.get());
    }
    for (Connection* c : waiting) close_connection(*c);
  }

  void wake() {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(wake_fd_, &one, sizeof one);
  }

  // --- the workers' side ---------------------------------------------------

  void work() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(jobs_mutex_);
        jobs_ready_.wait(lock, [&] { return workers_stop_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      std::optional<std::string> body;
      try {
        body = handler_(job.frame);
      } catch (...) {
        body.reset();  // a handler that throws closes the connection, not the server
      }
      {
        std::lock_guard lock(replies_mutex_);
        replies_.push_back({job.connection, std::move(body)});
      }
      wake();
    }
  }

  int listen_fd_;
  int epoll_fd_ = -1, wake_fd_ = -1;
  std::unique_ptr<SSL_CTX, SslCtxFree> tls_;
  ConnectionLimits limits_;
  FrameHandler handler_;
  Framing framing_;
  ConnectionCounters counters_;
  std::atomic<bool> stopping_{false};

  // The loop thread's alone.
  std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections_;
  std::unordered_map<std::string, int> per_peer_;
  std::set<std::pair<Clock::time_point, std::uint64_t>> deadlines_;
  std::uint64_t next_id_ = 2;
  bool accept_paused_ = false;
  Clock::time_point accept_resume_;

  std::mutex jobs_mutex_;
  std::condition_variable jobs_ready_;
  std::deque<Job> jobs_;
  bool workers_stop_ = false;
  std::mutex replies_mutex_;
  std::vector<Reply> replies_;
};

Result<std::unique_ptr<ConnectionLoop>> ConnectionLoop::listen(const std::string& address, int port,
                                                               const TlsCredentials& tls,
                                                               const ConnectionLimits& limits, FrameHandler handler,
                                                               Framing framing) {
  std::unique_ptr<SSL_CTX, SslCtxFree> context;
  if (!tls.certificate.empty() || !tls.private_key.empty()) {
    auto made = make_tls_context(tls);
    if (!made.is_ok()) return made.status();
    context = std::move(made).value();
  }
  auto fd = listen_socket(address, port);
  if (!fd.is_ok()) return fd.status();
#if defined(__GLIBC__)
  // A frame buffer grows to the frame's size (up to --max-frame): keep
  // glibc's mmap threshold fixed, so that each large one is its own
  // mapping, returned to the system when its connection ends. By default
  // glibc raises the threshold after the first such free, and later frame
  // buffers stayed in the heap: a flood of 1 MiB frames left the server
  // 60 MiB larger for good (bench/hostile.py's soak).
  mallopt(M_MMAP_THRESHOLD, kFrameMmapThreshold);
#endif
  return std::unique_ptr<ConnectionLoop>(
      new ConnectionLoop(std::make_unique<Impl>(fd.value(), std::move(context), limits, std::move(handler), framing)));
}

ConnectionLoop::ConnectionLoop(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ConnectionLoop::~ConnectionLoop() = default;
int ConnectionLoop::port() const { return impl_->port(); }
const ConnectionCounters& ConnectionLoop::counters() const { return impl_->counters(); }
void ConnectionLoop::run() { impl_->run(); }
void ConnectionLoop::stop() { impl_->stop(); }

}  // namespace sourcetrace::service
