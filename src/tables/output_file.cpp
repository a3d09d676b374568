// OutputFile: atomic (temp + rename) file output with optional gzip.
#include "sourcetrace/tables/output_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace sourcetrace::tables {

namespace fs = std::filesystem;

std::string temporary_path_for(const std::string& final_path) {
  fs::path p(final_path);
  std::string name = "." + p.filename().string() + ".tmp-" + std::to_string(::getpid());
  return (p.parent_path() / name).string();
}

Status publish_file(const std::string& temp_path, const std::string& final_path) {
  int fd = ::open(temp_path.c_str(), O_RDONLY);
  if (fd < 0) return Status::io_error(temp_path + ": " + std::strerror(errno));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::io_error(temp_path + ": fsync: " + std::strerror(errno));
  if (std::rename(temp_path.c_str(), final_path.c_str()) != 0) {
    return Status::cannot_create(final_path + ": cannot rename from " + temp_path + ": " +
                                 std::strerror(errno));
  }
  // Make the rename itself durable.
  std::string dir = fs::path(final_path).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  remove_abandoned_temporaries(final_path);
  return Status::ok();
}

void remove_abandoned_temporaries(const std::string& final_path) {
  const fs::path p(final_path);
  const std::string prefix = "." + p.filename().string() + ".tmp-";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(p.parent_path().empty() ? fs::path(".") : p.parent_path(), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string pid_text = name.substr(prefix.size());
    if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::stol(pid_text));
    // Only a writer that no longer exists: a live one may still publish.
    if (pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH) fs::remove(entry.path(), ec);
  }
}

struct OutputFile::Deflater {
  z_stream stream{};
  std::vector<unsigned char> out = std::vector<unsigned char>(1 << 18);
};

Result<std::unique_ptr<OutputFile>> OutputFile::create(const std::string& final_path,
                                                       Compression compression, int gzip_level) {
  std::string temp = temporary_path_for(final_path);
  std::FILE* f = std::fopen(temp.c_str(), "wb");
  if (f == nullptr) {
    return Status::cannot_create(final_path + ": cannot create: " + std::strerror(errno));
  }
  std::unique_ptr<OutputFile> out(new OutputFile(final_path, temp, f, compression));
  if (compression == Compression::kGzip) {
    out->deflater_ = std::make_unique<Deflater>();
    // windowBits 15 + 16 asks zlib for a gzip wrapper; its header carries no
    // timestamp, so the same bytes in give the same file out.
    if (deflateInit2(&out->deflater_->stream, gzip_level, Z_DEFLATED, 15 + 16, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
      return Status::internal("zlib deflateInit2 failed");
    }
  }
  return out;
}

OutputFile::OutputFile(std::string final_path, std::string temp_path, std::FILE* file,
                       Compression compression)
    : final_path_(std::move(final_path)),
      temp_path_(std::move(temp_path)),
      file_(file),
      compression_(compression) {
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
}

OutputFile::~OutputFile() {
  if (deflater_) deflateEnd(&deflater_->stream);
  if (file_ != nullptr) std::fclose(file_);
  if (!published_) std::remove(temp_path_.c_str());
}

Status OutputFile::write_raw(const void* data, std::size_t size) {
  if (size > 0 && std::fwrite(data, 1, size, file_) != size) {
    return Status::io_error(final_path_ + ": write failed: " + std::strerror(errno));
  }
  return Status::ok();
}

Status OutputFile::write(std::string_view bytes) {
  if (compression_ == Compression::kNone) return write_raw(bytes.data(), bytes.size());
  z_stream& z = deflater_->stream;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  while (z.avail_in > 0) {
    z.next_out = deflater_->out.data();
    z.avail_out = static_cast<uInt>(deflater_->out.size());
    if (deflate(&z, Z_NO_FLUSH) == Z_STREAM_ERROR) return Status::internal("zlib deflate failed");
    ST_RETURN_IF_ERROR(write_raw(deflater_->out.data(), deflater_->out.size() - z.avail_out));
  }
  return Status::ok();
}

Status OutputFile::publish() {
  if (compression_ == Compression::kGzip) {
    z_stream& z = deflater_->stream;
    z.avail_in = 0;
    int rc;
    do {
      z.next_out = deflater_->out.data();
      z.avail_out = static_cast<uInt>(deflater_->out.size());
      rc = deflate(&z, Z_FINISH);
      if (rc == Z_STREAM_ERROR) return Status::internal("zlib deflate failed");
      ST_RETURN_IF_ERROR(write_raw(deflater_->out.data(), deflater_->out.size() - z.avail_out));
    } while (rc != Z_STREAM_END);
  }
  if (std::fclose(file_) != 0) {
    file_ = nullptr;
    return Status::io_error(final_path_ + ": close failed: " + std::strerror(errno));
  }
  file_ = nullptr;
  ST_RETURN_IF_ERROR(publish_file(temp_path_, final_path_));
  published_ = true;
  return Status::ok();
}

}  // namespace sourcetrace::tables
