// ByteSource: the bytes of one input file, plain or gzip, in large blocks.
//
// Reading (and, for .gz files, inflating) runs on a thread of its own, a few
// blocks ahead of the parser, so that decompression and parsing overlap on
// two cores. The source also computes the digest of the content (the
// decompressed bytes, so a table has the same digest plain or gzipped) and
// counts the bytes read from disk, for progress. A truncated or corrupt gzip
// stream is an error naming the file, never a silent short read.
//
// Threading: one consumer thread calls next(); the reader thread is internal.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "sourcetrace/status.hpp"
#include "sourcetrace/tables/digest.hpp"

namespace sourcetrace::tables {

class ByteSource {
 public:
  // Opens `path`; gzip when its first bytes are the gzip magic number.
  static Result<std::unique_ptr<ByteSource>> open(const std::string& path);
  ~ByteSource();
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;

  // Replaces `block` with the next block of content (the old buffer is
  // recycled). Returns false at the end of the content or on error; then
  // status() says which.
  bool next(std::string& block);
  const Status& status() const { return status_; }

  const std::string& path() const { return path_; }
  bool compressed() const { return compressed_; }
  // Bytes of the file on disk, and how many of them have been read so far.
  std::uint64_t file_size() const { return file_size_; }
  std::uint64_t file_bytes_read() const { return file_bytes_read_.load(std::memory_order_relaxed); }
  // REQUIRES: next() returned false with status() ok.
  Digest digest() const { return digest_; }
  std::uint64_t content_bytes() const { return content_bytes_; }

 private:
  ByteSource(std::string path, int fd, bool compressed, std::uint64_t file_size);
  void read_loop();
  bool read_plain(std::string& block);
  bool read_gzip(std::string& block);
  void push(std::string block);

  std::string path_;
  int fd_;
  bool compressed_;
  std::uint64_t file_size_;
  std::atomic<std::uint64_t> file_bytes_read_{0};

  // Reader-thread state.
  struct Inflater;
  std::unique_ptr<Inflater> inflater_;
  DigestBuilder digest_builder_;
  Status read_error_;
  std::uint64_t produced_bytes_ = 0;

  // Shared between the threads, under mutex_.
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> ready_;
  std::deque<std::string> spare_;
  bool finished_ = false;  // the reader thread has pushed its last block
  bool stopping_ = false;  // the consumer went away
  Status reader_status_;  // read_error_, handed over when finished_
  Digest final_digest_;

  // Consumer state.
  Status status_;
  Digest digest_;
  std::uint64_t content_bytes_ = 0;
  std::thread thread_;
};

}  // namespace sourcetrace::tables
