// CsvWriter: minimal-quoting RFC 4180 output.
#include "sourcetrace/tables/csv_writer.hpp"

#include <charconv>
#include <cstring>

namespace sourcetrace::tables {

namespace {
constexpr std::size_t kFlushBytes = 1 << 20;
}

Result<CsvWriter> CsvWriter::create(const std::string& final_path,
                                    std::initializer_list<std::string_view> header,
                                    OutputFile::Compression compression) {
  auto file = OutputFile::create(final_path, compression);
  if (!file.is_ok()) return file.status();
  CsvWriter writer(std::move(file).value());
  ST_RETURN_IF_ERROR(writer.row(header));
  writer.rows_ = 0;  // the header is not a row
  return writer;
}

void CsvWriter::separator() {
  if (row_started_) buffer_.push_back(',');
  row_started_ = true;
}

CsvWriter& CsvWriter::field(std::string_view text) {
  separator();
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    buffer_.append(text);
    return *this;
  }
  buffer_.push_back('"');
  for (char c : text) {
    if (c == '"') buffer_.push_back('"');
    buffer_.push_back(c);
  }
  buffer_.push_back('"');
  return *this;
}

CsvWriter& CsvWriter::field(std::int64_t value) {
  separator();
  char tmp[24];
  auto r = std::to_chars(tmp, tmp + sizeof tmp, value);
  buffer_.append(tmp, r.ptr);
  return *this;
}

CsvWriter& CsvWriter::field(std::uint64_t value) {
  separator();
  char tmp[24];
  auto r = std::to_chars(tmp, tmp + sizeof tmp, value);
  buffer_.append(tmp, r.ptr);
  return *this;
}

CsvWriter& CsvWriter::field(double value) {
  separator();
  char tmp[32];
  auto r = std::to_chars(tmp, tmp + sizeof tmp, value);
  buffer_.append(tmp, r.ptr);
  return *this;
}

Status CsvWriter::end_row() {
  buffer_.push_back('\n');
  row_started_ = false;
  ++rows_;
  if (buffer_.size() >= kFlushBytes) {
    ST_RETURN_IF_ERROR(file_->write(buffer_));
    buffer_.clear();
  }
  return Status::ok();
}

Status CsvWriter::row(std::initializer_list<std::string_view> fields) {
  for (std::string_view f : fields) field(f);
  return end_row();
}

Status CsvWriter::publish() {
  ST_RETURN_IF_ERROR(file_->write(buffer_));
  buffer_.clear();
  return file_->publish();
}

}  // namespace sourcetrace::tables
