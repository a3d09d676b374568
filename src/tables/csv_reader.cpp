// CsvReader: a record splitter (which reparses a record when it straddles
// two blocks: records are short, blocks are a megabyte, so that is rare) on
// a thread of its own, handing records over in batches.
#include "sourcetrace/tables/csv_reader.hpp"

#include <cstring>
#include <functional>

namespace sourcetrace::tables {

namespace {
constexpr std::size_t kBatchRecords = 4096;
constexpr std::size_t kBatchBytes = 256u << 10;
constexpr std::size_t kBatchesAhead = 4;
}  // namespace

// Splits the source's content into records, one call at a time.
class CsvReader::Splitter {
 public:
  explicit Splitter(ByteSource& source) : source_(source) {}
  // As CsvReader::next; views valid until the next call.
  Next next(CsvRecord& record, std::string& reason);
  const Status& status() const { return status_; }

 private:
  enum class Parse { kComplete, kBad, kNeedMore, kUnterminated };
  struct FieldSpan {
    std::size_t begin, size;
    bool in_scratch;
  };
  Parse parse_record(std::size_t& end, std::size_t& newlines, std::string& reason);
  bool refill();  // false when the source has nothing more

  ByteSource& source_;
  std::string buffer_;
  std::string block_;
  std::size_t pos_ = 0;
  bool source_done_ = false;
  bool started_ = false;
  std::uint64_t line_ = 1;
  std::vector<FieldSpan> spans_;
  std::string scratch_;
  Status status_;
};

bool CsvReader::Splitter::refill() {
  if (source_done_) return false;
  buffer_.erase(0, pos_);
  pos_ = 0;
  if (!source_.next(block_)) {
    source_done_ = true;
    if (!source_.status().is_ok()) status_ = source_.status();
    return false;
  }
  buffer_.append(block_);
  if (!started_) {
    started_ = true;
    if (buffer_.size() >= 3 && std::memcmp(buffer_.data(), "\xEF\xBB\xBF", 3) == 0) {
      buffer_.erase(0, 3);
    }
  }
  return true;
}

// Parses the record that starts at pos_. On kComplete/kBad, `end` is the
// offset just past its line end (or the end of the data) and `newlines` the
// line breaks it spans.
CsvReader::Splitter::Parse CsvReader::Splitter::parse_record(std::size_t& end, std::size_t& newlines,
                                         std::string& reason) {
  const char* data = buffer_.data();
  const std::size_t size = buffer_.size();
  std::size_t i = pos_;
  newlines = 0;
  spans_.clear();
  scratch_.clear();
  bool bad = false;

  // On a syntax error, skip to the end of the physical line.
  auto skip_to_line_end = [&](const char* why) -> Parse {
    if (!bad) reason = why;
    bad = true;
    const void* nl = std::memchr(data + i, '\n', size - i);
    if (nl == nullptr) {
      if (!source_done_) return Parse::kNeedMore;
      end = size;
      return Parse::kBad;
    }
    end = static_cast<std::size_t>(static_cast<const char*>(nl) - data) + 1;
    ++newlines;
    return Parse::kBad;
  };

  while (true) {
    if (i < size && data[i] == '"') {
      // Quoted field: runs to the next lone quote; "" is one quote.
      std::size_t begin = ++i;
      bool escaped = false;
      while (true) {
        const void* q = std::memchr(data + i, '"', size - i);
        if (q == nullptr) {
          if (!source_done_) return Parse::kNeedMore;
          return Parse::kUnterminated;
        }
        std::size_t at = static_cast<std::size_t>(static_cast<const char*>(q) - data);
        for (std::size_t k = i; k < at; ++k) newlines += data[k] == '\n';
        if (at + 1 >= size && !source_done_) return Parse::kNeedMore;
        if (at + 1 < size && data[at + 1] == '"') {
          escaped = true;
          i = at + 2;
          continue;
        }
        if (!escaped) {
          spans_.push_back({begin, at - begin, false});
        } else {
          std::size_t s = scratch_.size();
          for (std::size_t k = begin; k < at; ++k) {
            scratch_.push_back(data[k]);
            if (data[k] == '"') ++k;  // keep one of each pair
          }
          spans_.push_back({s, scratch_.size() - s, true});
        }
        i = at + 1;
        break;
      }
    } else {
      // Unquoted field: runs to a comma or a line end.
      std::size_t begin = i;
      while (i < size) {
        char c = data[i];
        if (c == ',' || c == '\n' || c == '\r') break;
        if (c == '"') return skip_to_line_end("a quote inside an unquoted field (quote the whole field)");
        ++i;
      }
      spans_.push_back({begin, i - begin, false});
    }

    // After a field: a comma, a line end, or the end of the data.
    if (i >= size) {
      if (!source_done_) return Parse::kNeedMore;
      end = size;
      return Parse::kComplete;
    }
    char c = data[i];
    if (c == ',') {
      ++i;
      continue;
    }
    if (c == '\n') {
      end = i + 1;
      ++newlines;
      return Parse::kComplete;
    }
    if (c == '\r') {
      if (i + 1 >= size && !source_done_) return Parse::kNeedMore;
      if (i + 1 < size && data[i + 1] == '\n') {
        end = i + 2;
        ++newlines;
        return Parse::kComplete;
      }
      return skip_to_line_end("a carriage return not followed by a line feed");
    }
    return skip_to_line_end("text after the closing quote of a field");
  }
}

CsvReader::Next CsvReader::Splitter::next(CsvRecord& record, std::string& reason) {
  if (!status_.is_ok()) return Next::kFatal;
  if (!started_ && !refill()) return status_.is_ok() ? Next::kEnd : Next::kFatal;
  while (true) {
    if (pos_ >= buffer_.size()) {
      if (!refill()) return status_.is_ok() ? Next::kEnd : Next::kFatal;
      continue;
    }
    // A blank line holds no record.
    if (buffer_[pos_] == '\n') {
      ++pos_;
      ++line_;
      continue;
    }
    if (buffer_[pos_] == '\r' && pos_ + 1 < buffer_.size() && buffer_[pos_ + 1] == '\n') {
      pos_ += 2;
      ++line_;
      continue;
    }
    std::size_t end = 0, newlines = 0;
    Parse parse = parse_record(end, newlines, reason);
    if (parse == Parse::kNeedMore) {
      if (buffer_.size() - pos_ > kMaxRecordBytes) {
        status_ = Status::invalid_input(source_.path() + ":" + std::to_string(line_) +
                                        ": a record longer than 16 MiB (a quote never closed?)");
        return Next::kFatal;
      }
      if (!refill() && !status_.is_ok()) return Next::kFatal;
      continue;
    }
    if (parse == Parse::kUnterminated) {
      status_ = Status::invalid_input(source_.path() + ":" + std::to_string(line_) +
                                      ": a quoted field is never closed (unterminated quote)");
      return Next::kFatal;
    }
    // The raw record, without its line end.
    std::size_t raw_end = end;
    if (raw_end > pos_ && buffer_[raw_end - 1] == '\n') --raw_end;
    if (raw_end > pos_ && buffer_[raw_end - 1] == '\r') --raw_end;
    record.line = line_;
    record.raw = std::string_view(buffer_.data() + pos_, raw_end - pos_);
    record.fields.clear();
    if (parse == Parse::kComplete) {
      for (const FieldSpan& s : spans_) {
        const char* base = s.in_scratch ? scratch_.data() : buffer_.data();
        record.fields.emplace_back(base + s.begin, s.size);
      }
    }
    line_ += newlines;
    pos_ = end;
    if (parse == Parse::kComplete && !is_valid_utf8(record.raw)) {
      reason = "invalid UTF-8";
      return Next::kBadRecord;
    }
    return parse == Parse::kComplete ? Next::kRecord : Next::kBadRecord;
  }
}

// Records as the splitter returned them, copied: the raw bytes and the
// unescaped fields that are not inside them, back to back in `bytes`.
struct CsvReader::Batch {
  struct Item {
    Next kind;
    std::uint64_t line;
    std::size_t raw_begin, raw_size;
    std::size_t first_field, fields;  // into `field_spans`
    std::string reason;               // kBadRecord
  };
  std::string bytes;
  std::vector<Item> items;
  std::vector<std::pair<std::size_t, std::size_t>> field_spans;  // (begin, size) in bytes
  Status status;  // the last item is kEnd or kFatal

  void clear() {
    bytes.clear();
    items.clear();
    field_spans.clear();
    status = Status::ok();
  }
  void add(Next kind, const CsvRecord& record, std::string& reason) {
    Item item{kind, record.line, bytes.size(), record.raw.size(), field_spans.size(), record.fields.size(), {}};
    bytes.append(record.raw);
    // Most fields lie inside the raw record; an unescaped one ("" -> ") does
    // not (std::less: a total order even on pointers into different arrays).
    const std::less<const char*> before;
    const char* raw_end = record.raw.data() + record.raw.size();
    for (std::string_view f : record.fields) {
      if (!before(f.data(), record.raw.data()) && !before(raw_end, f.data() + f.size())) {
        field_spans.emplace_back(item.raw_begin + static_cast<std::size_t>(f.data() - record.raw.data()), f.size());
      } else {
        field_spans.emplace_back(bytes.size(), f.size());
        bytes.append(f);
      }
    }
    if (kind == Next::kBadRecord) item.reason = std::move(reason);
    items.push_back(std::move(item));
  }
};

Result<std::unique_ptr<CsvReader>> CsvReader::open(const std::string& path) {
  auto source = ByteSource::open(path);
  if (!source.is_ok()) return source.status();
  std::unique_ptr<CsvReader> reader(new CsvReader(std::move(source).value()));
  reader->thread_ = std::thread([r = reader.get()] { r->split_loop(); });
  return reader;
}

CsvReader::CsvReader(std::unique_ptr<ByteSource> source)
    : source_(std::move(source)), splitter_(std::make_unique<Splitter>(*source_)) {}

CsvReader::~CsvReader() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

// Runs on the reader's thread: fills batches until the end, a fatal error,
// or the consumer stops.
void CsvReader::split_loop() {
  CsvRecord record;
  std::string reason;
  bool last = false;
  while (!last) {
    std::unique_ptr<Batch> batch;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      if (!spare_.empty()) {
        batch = std::move(spare_.front());
        spare_.pop_front();
      }
    }
    if (!batch) batch = std::make_unique<Batch>();
    batch->clear();
    while (batch->items.size() < kBatchRecords && batch->bytes.size() < kBatchBytes) {
      const Next kind = splitter_->next(record, reason);
      if (kind == Next::kEnd || kind == Next::kFatal) {
        batch->items.push_back({kind, 0, 0, 0, 0, 0, {}});
        batch->status = splitter_->status();
        last = true;
        break;
      }
      batch->add(kind, record, reason);
      reason.clear();
    }
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return ready_.size() < kBatchesAhead || stopping_; });
    if (stopping_) return;
    ready_.push_back(std::move(batch));
    changed_.notify_all();
  }
}

CsvReader::Next CsvReader::next(CsvRecord& record, std::string& reason) {
  if (done_) return status_.is_ok() ? Next::kEnd : Next::kFatal;
  if (!current_ || at_ == current_->items.size()) {
    std::unique_lock lock(mutex_);
    if (current_) spare_.push_back(std::move(current_));
    changed_.wait(lock, [&] { return !ready_.empty(); });
    current_ = std::move(ready_.front());
    ready_.pop_front();
    at_ = 0;
    changed_.notify_all();
  }
  Batch::Item& item = current_->items[at_++];
  if (item.kind == Next::kEnd || item.kind == Next::kFatal) {
    done_ = true;
    status_ = current_->status;
    return item.kind;
  }
  const char* bytes = current_->bytes.data();
  record.line = item.line;
  record.raw = std::string_view(bytes + item.raw_begin, item.raw_size);
  record.fields.clear();
  for (std::size_t f = item.first_field; f < item.first_field + item.fields; ++f) {
    const auto [begin, size] = current_->field_spans[f];
    record.fields.emplace_back(bytes + begin, size);
  }
  if (item.kind == Next::kBadRecord) reason = std::move(item.reason);
  return item.kind;
}

namespace {

// Length of the valid UTF-8 sequence at p (1-4), or 0 when it is not one.
int utf8_sequence_length(const unsigned char* p, const unsigned char* end) {
  unsigned char c = *p;
  if (c < 0x80) return 1;
  int len;
  std::uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (end - p < len) return 0;
  for (int k = 1; k < len; ++k) {
    if ((p[k] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[k] & 0x3F);
  }
  static constexpr std::uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

std::string to_valid_utf8(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  std::string out;
  while (p < end) {
    int len = utf8_sequence_length(p, end);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++p;
    } else {
      out.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(len));
      p += len;
    }
  }
  return out;
}

bool is_valid_utf8(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  while (p < end) {
    // Fast path: eight ASCII bytes at a time.
    if (end - p >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        p += 8;
        continue;
      }
    }
    int len = utf8_sequence_length(p, end);
    if (len == 0) return false;
    p += len;
  }
  return true;
}

}  // namespace sourcetrace::tables
