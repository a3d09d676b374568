// Field rules: identifiers, dates, quantities.
#include <catch2/catch.hpp>

#include "sourcetrace/tables/fields.hpp"

using namespace sourcetrace::tables;

TEST_CASE("tables: identifiers are 1-128 bytes without control characters", "[tables][fast]") {
  CHECK(check_identifier("S1") == nullptr);
  CHECK(check_identifier("Müller GmbH, Lager 3") == nullptr);
  CHECK(check_identifier(std::string(128, 'x')) == nullptr);
  CHECK(std::string(check_identifier("")) == "empty identifier");
  CHECK(std::string(check_identifier(std::string(129, 'x'))) == "identifier longer than 128 bytes");
  CHECK(check_identifier("a\tb") != nullptr);
  CHECK(check_identifier("a\x7f") != nullptr);
  CHECK(check_identifier("a\xC2\x85") != nullptr);  // NEL, a C1 control
}

TEST_CASE("tables: dates are real ISO calendar dates", "[tables][fast]") {
  Day d = 0;
  REQUIRE(parse_date("1970-01-01", d) == nullptr);
  CHECK(d == 0);
  REQUIRE(parse_date("2024-02-29", d) == nullptr);
  CHECK(format_date(d) == "2024-02-29");
  REQUIRE(parse_date("2026-11-26", d) == nullptr);
  CHECK(format_date(d) == "2026-11-26");
  CHECK(parse_date("2025-02-29", d) != nullptr);
  CHECK(parse_date("2025-13-01", d) != nullptr);
  CHECK(parse_date("2025-1-01", d) != nullptr);
  CHECK(parse_date("01/02/2025", d) != nullptr);
  CHECK(parse_date("", d) != nullptr);
}

TEST_CASE("tables: quantities are non-negative plain decimals", "[tables][fast]") {
  double v = -1;
  REQUIRE(parse_quantity("12", v) == nullptr);
  CHECK(v == 12);
  REQUIRE(parse_quantity("0.25", v) == nullptr);
  CHECK(v == 0.25);
  CHECK(std::string(parse_quantity("-1", v)) == "negative number");
  for (const char* bad : {"", "1e5", "1.", ".5", "1,5", "nan", "inf", " 1", "0x10"}) {
    INFO(bad);
    CHECK(parse_quantity(bad, v) != nullptr);
  }
}
