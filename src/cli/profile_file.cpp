// read_profile_file: a profile file's values, checked one by one.
#include "profile_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "sourcetrace/pipeline/toml_sections.hpp"

namespace sourcetrace::cli {

namespace {

using market::MarketFamily;
using market::ParameterRange;
using market::ProfileParameter;

constexpr std::string_view kDocumentedIn = "docs/generator.md";

// The one number of `node`, or why it is not one. Counts take integers only.
Result<double> number_of(const toml::node& node, bool count) {
  if (const auto* i = node.as_integer()) return static_cast<double>(i->get());
  if (const auto* f = node.as_floating_point(); f != nullptr && !count) return f->get();
  return Status::invalid_argument(count ? "must be a whole number or a range [lo, hi] of them"
                                        : "must be a number or a range [lo, hi]");
}

// A value or a two-element range of `parameter`, as the file gives it.
Result<ParameterRange> range_of(const toml::node& node, const ProfileParameter& parameter) {
  if (std::holds_alternative<market::RingSizes market::MarketProfile::*>(parameter.field)) {
    market::RingSizes sizes{};
    const auto* text = node.as_string();
    if (text == nullptr || !market::parse_ring_sizes(text->get(), sizes)) {
      return Status::invalid_argument(fmt::format("must be \"{}\" or \"{}\"",
                                                  market::ring_sizes_name(market::RingSizes::kStorefrontsGeometric),
                                                  market::ring_sizes_name(market::RingSizes::kEntitiesLogNormal)));
    }
    const auto x = static_cast<double>(sizes);
    return ParameterRange{x, x};
  }
  const bool count = std::holds_alternative<std::uint32_t market::MarketProfile::*>(parameter.field);
  if (const auto* array = node.as_array()) {
    if (array->size() != 2) return Status::invalid_argument("a range has two values, [lo, hi]");
    auto lo = number_of(*array->get(0), count);
    if (!lo.is_ok()) return lo.status();
    auto hi = number_of(*array->get(1), count);
    if (!hi.is_ok()) return hi.status();
    return ParameterRange{lo.value(), hi.value()};
  }
  auto x = number_of(node, count);
  if (!x.is_ok()) return x.status();
  return ParameterRange{x.value(), x.value()};
}

}  // namespace

Result<MarketFamily> read_profile_file(const std::string& path, const MarketFamily& base) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::missing_input(path + ": cannot open profile file");
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = pipeline::parse_sections(path, text.str(),
                               {"rings", "supply", "links", "money", "evidence", "lookalikes", "churn", "market", "data"},
                               kDocumentedIn);
  if (!parsed.is_ok()) return parsed.status();
  const toml::table& root = parsed.value();

  MarketFamily family = base;
  std::map<std::string, pipeline::TomlSection> sections;
  std::map<std::string, int> line_of;  // of each key the file sets
  for (const ProfileParameter& p : market::profile_parameters()) {
    auto [it, added] = sections.try_emplace(p.section, root, p.section, path, std::string(kDocumentedIn));
    if (added) {
      const toml::node* table = root.get(p.section);
      if (table != nullptr && !table->is_table()) {
        return Status::invalid_argument(
            fmt::format("{}:{}: {} must be a table ([{}])", path, table->source().begin.line, p.section, p.section));
      }
    }
    const toml::node* node = it->second.find(p.key);
    if (node == nullptr) continue;
    const int line = static_cast<int>(node->source().begin.line);
    line_of[p.key] = line;
    auto range = range_of(*node, p);
    Status set = range.is_ok() ? family.set(p, range.value()) : range.status();
    if (!set.is_ok()) {
      // The family's own messages begin with the key already.
      const std::string& why = set.message();
      const std::string reason = why.rfind(p.key, 0) == 0 ? why : fmt::format("{} {}", p.key, why);
      return Status::invalid_argument(fmt::format("{}:{}: [{}] {}", path, line, p.section, reason));
    }
  }
  for (const auto& [name, section] : sections) ST_RETURN_IF_ERROR(section.check_unknown());
  std::string low, high;
  if (Status checked = family.check(&low, &high); !checked.is_ok()) {
    // At the line of whichever of the two the file sets (the later one).
    int line = 0;
    for (const std::string& key : {low, high}) {
      if (auto it = line_of.find(key); it != line_of.end()) line = std::max(line, it->second);
    }
    return Status::invalid_argument(line > 0 ? fmt::format("{}:{}: {}", path, line, checked.message())
                                             : fmt::format("{}: {}", path, checked.message()));
  }
  return family;
}

}  // namespace sourcetrace::cli
