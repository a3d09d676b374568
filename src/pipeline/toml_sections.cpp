// parse_sections and TomlSection: the checks job files and cluster plans share.
#include "sourcetrace/pipeline/toml_sections.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sourcetrace::pipeline {

Result<toml::table> parse_sections(const std::string& path, const std::string& text,
                                   std::initializer_list<std::string_view> sections, std::string_view documented_in) {
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Status::invalid_argument(fmt::format("{}:{}: {}", path, e.source().begin.line, e.description()));
  }
  for (const auto& [key, node] : root) {
    if (std::find(sections.begin(), sections.end(), key.str()) == sections.end()) {
      return Status::invalid_argument(fmt::format("{}:{}: unknown section [{}] (see {})", path,
                                                  node.source().begin.line, key.str(), documented_in));
    }
  }
  return root;
}

TomlSection::TomlSection(const toml::table& root, std::string name, const std::string& path,
                         std::string documented_in)
    : table_(root[name].as_table()), name_(std::move(name)), path_(path), documented_in_(std::move(documented_in)) {}

const toml::node* TomlSection::find(const char* key) {
  known_.insert(key);
  return table_ != nullptr ? table_->get(key) : nullptr;
}

Status TomlSection::invalid(const toml::node* node, const char* key, std::string_view reason) const {
  const std::string where = node != nullptr ? fmt::format("{}:{}", path_, node->source().begin.line) : path_;
  return Status::invalid_argument(fmt::format("{}: [{}] {} {}", where, name_, key, reason));
}

Status TomlSection::invalid(const char* key, std::string_view reason) const {
  return invalid(table_ != nullptr ? table_->get(key) : nullptr, key, reason);
}

Status TomlSection::check_unknown() const {
  if (table_ == nullptr) return Status::ok();
  for (const auto& [key, node] : *table_) {
    if (!known_.count(std::string(key.str()))) {
      return Status::invalid_argument(fmt::format("{}:{}: [{}] has no parameter '{}' (see {})", path_,
                                                  node.source().begin.line, name_, key.str(), documented_in_));
    }
  }
  return Status::ok();
}

}  // namespace sourcetrace::pipeline
