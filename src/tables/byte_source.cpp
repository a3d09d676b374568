// ByteSource: read-ahead thread that reads (and inflates) one input file.
#include "sourcetrace/tables/byte_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace sourcetrace::tables {

namespace {
constexpr std::size_t kBlockBytes = 1 << 20;  // content bytes per block
constexpr std::size_t kReadAhead = 4;         // blocks the reader may run ahead
}  // namespace

struct ByteSource::Inflater {
  z_stream stream{};
  std::vector<unsigned char> in = std::vector<unsigned char>(1 << 18);
  bool input_done = false;   // the file is read to its end
  bool member_done = false;  // the last gzip member ended cleanly
};

Result<std::unique_ptr<ByteSource>> ByteSource::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::missing_input(path + ": no such file");
    return Status::io_error(path + ": cannot open: " + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::io_error(path + ": not a regular file");
  }
  unsigned char magic[2] = {0, 0};
  ssize_t got = ::pread(fd, magic, 2, 0);
  bool gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  std::unique_ptr<ByteSource> source(
      new ByteSource(path, fd, gzip, static_cast<std::uint64_t>(st.st_size)));
  if (gzip) {
    source->inflater_ = std::make_unique<Inflater>();
    if (inflateInit2(&source->inflater_->stream, 15 + 16) != Z_OK) {
      return Status::internal("zlib inflateInit2 failed");
    }
  }
  source->thread_ = std::thread([s = source.get()] { s->read_loop(); });
  return source;
}

ByteSource::ByteSource(std::string path, int fd, bool compressed, std::uint64_t file_size)
    : path_(std::move(path)), fd_(fd), compressed_(compressed), file_size_(file_size) {}

ByteSource::~ByteSource() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (inflater_) inflateEnd(&inflater_->stream);
  ::close(fd_);
}

void ByteSource::push(std::string block) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return ready_.size() < kReadAhead || stopping_; });
  ready_.push_back(std::move(block));
  changed_.notify_all();
}

// Runs on the reader thread: fills blocks until the end, an error, or the
// consumer stops.
void ByteSource::read_loop() {
  while (true) {
    std::string block;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      if (!spare_.empty()) {
        block = std::move(spare_.front());
        spare_.pop_front();
      }
    }
    block.resize(kBlockBytes);
    bool more = compressed_ ? read_gzip(block) : read_plain(block);
    if (!read_error_.is_ok()) break;
    if (!block.empty()) {
      digest_builder_.update(block);
      produced_bytes_ += block.size();
      push(std::move(block));
    }
    if (!more) break;
  }
  std::lock_guard lock(mutex_);
  reader_status_ = read_error_;
  final_digest_ = digest_builder_.finish();
  finished_ = true;
  changed_.notify_all();
}

bool ByteSource::read_plain(std::string& block) {
  std::size_t filled = 0;
  while (filled < block.size()) {
    ssize_t n = ::read(fd_, block.data() + filled, block.size() - filled);
    if (n < 0) {
      if (errno == EINTR) continue;
      read_error_ = Status::io_error(path_ + ": read failed: " + std::strerror(errno));
      return false;
    }
    if (n == 0) break;
    filled += static_cast<std::size_t>(n);
    file_bytes_read_.fetch_add(static_cast<std::uint64_t>(n), std::memory_order_relaxed);
  }
  bool more = filled == block.size();
  block.resize(filled);
  return more;
}

bool ByteSource::read_gzip(std::string& block) {
  Inflater& in = *inflater_;
  z_stream& z = in.stream;
  z.next_out = reinterpret_cast<Bytef*>(block.data());
  z.avail_out = static_cast<uInt>(block.size());
  while (z.avail_out > 0) {
    if (z.avail_in == 0 && !in.input_done) {
      ssize_t n;
      do {
        n = ::read(fd_, in.in.data(), in.in.size());
      } while (n < 0 && errno == EINTR);
      if (n < 0) {
        read_error_ = Status::io_error(path_ + ": read failed: " + std::strerror(errno));
        return false;
      }
      if (n == 0) in.input_done = true;
      file_bytes_read_.fetch_add(static_cast<std::uint64_t>(n), std::memory_order_relaxed);
      z.next_in = in.in.data();
      z.avail_in = static_cast<uInt>(n);
    }
    if (z.avail_in == 0 && in.input_done) {
      if (!in.member_done) {
        read_error_ = Status::invalid_input(
            path_ + ": truncated gzip file (the stream ends before its end marker)");
        return false;
      }
      break;
    }
    in.member_done = false;
    int rc = inflate(&z, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      // A gzip file may hold several members back to back (cat a.gz b.gz).
      in.member_done = true;
      inflateReset(&z);
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      read_error_ = Status::invalid_input(path_ + ": corrupt gzip data (" +
                                             (z.msg ? z.msg : "inflate failed") + ")");
      return false;
    }
  }
  std::size_t filled = block.size() - z.avail_out;
  bool more = !(in.input_done && z.avail_in == 0 && in.member_done);
  block.resize(filled);
  return more || filled == kBlockBytes;
}

bool ByteSource::next(std::string& block) {
  if (!status_.is_ok()) return false;
  std::unique_lock lock(mutex_);
  if (!block.empty() || block.capacity() > 0) {
    block.clear();
    spare_.push_back(std::move(block));
    block = std::string();
  }
  changed_.wait(lock, [&] { return !ready_.empty() || finished_; });
  if (!ready_.empty()) {
    block = std::move(ready_.front());
    ready_.pop_front();
    content_bytes_ += block.size();
    changed_.notify_all();
    return true;
  }
  if (!reader_status_.is_ok()) {
    status_ = reader_status_;
    return false;
  }
  digest_ = final_digest_;
  return false;
}

}  // namespace sourcetrace::tables
