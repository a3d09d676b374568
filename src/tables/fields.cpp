// Field rules: identifiers, ISO dates, plain decimals.
#include "sourcetrace/tables/fields.hpp"

#include <fast_float/fast_float.h>

#include <cmath>
#include <cstdio>

namespace sourcetrace::tables {

const char* check_identifier(std::string_view text) {
  if (text.empty()) return "empty identifier";
  if (text.size() > kMaxIdentifierBytes) return "identifier longer than 128 bytes";
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) return "control character in identifier";
    // C1 controls U+0080..U+009F are encoded C2 80..C2 9F.
    if (c == 0xC2 && i + 1 < text.size()) {
      auto d = static_cast<unsigned char>(text[i + 1]);
      if (d >= 0x80 && d <= 0x9F) return "control character in identifier";
    }
  }
  return nullptr;
}

namespace {

// Days from 1970-01-01 to the civil date y-m-d (Howard Hinnant's algorithm).
Day days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

const char* check_report_id(std::string_view text) {
  if (text.empty() || text.size() > 64) return "a report id is 1-64 characters";
  for (char c : text) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                       c == '_' || c == ':' || c == '-';
    if (!plain) return "a report id has only A-Z a-z 0-9 . _ : -";
  }
  return nullptr;
}

const char* parse_date(std::string_view t, Day& day) {
  if (t.empty()) return "empty date";
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return "date is not YYYY-MM-DD";
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!is_digit(t[i])) return "date is not YYYY-MM-DD";
  }
  int y = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
  unsigned m = static_cast<unsigned>((t[5] - '0') * 10 + (t[6] - '0'));
  unsigned d = static_cast<unsigned>((t[8] - '0') * 10 + (t[9] - '0'));
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12) return "date has no such month";
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  unsigned last = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  if (d < 1 || d > last) return "date has no such day";
  day = days_from_civil(y, m, d);
  return nullptr;
}

std::string format_date(Day day) {
  if (day == kNoDay) return "";
  // Inverse of days_from_civil (Howard Hinnant's civil_from_days).
  int z = day + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", y, m, d);
  return text;
}

const char* parse_quantity(std::string_view t, double& value) {
  if (t.empty()) return "empty number";
  std::size_t i = 0;
  if (t[0] == '-') return "negative number";
  while (i < t.size() && is_digit(t[i])) ++i;
  if (i == 0) return "not a number";
  if (i < t.size()) {
    if (t[i] != '.') return "not a number";
    std::size_t frac = ++i;
    while (i < t.size() && is_digit(t[i])) ++i;
    if (i == frac || i != t.size()) return "not a number";
  }
  auto r = fast_float::from_chars(t.data(), t.data() + t.size(), value);
  if (r.ec != std::errc() || !std::isfinite(value)) return "number out of range";
  return nullptr;
}

}  // namespace sourcetrace::tables
