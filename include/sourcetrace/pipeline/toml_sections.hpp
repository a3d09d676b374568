// TOML files whose every section and key must be known: job files
// (jobs/default.toml) and cluster plans (jobs/nightly.toml). A misspelt key
// is an error, never a silent default, and every error names file:line.
// The typed reads and their messages stay with each file's reader; this is
// what they share.
#pragma once

#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <toml++/toml.h>

#include "sourcetrace/status.hpp"

namespace sourcetrace::pipeline {

// Parses `text`, read from `path`, and checks that each top-level table is
// one of `sections`. `documented_in` names the file that lists them.
Result<toml::table> parse_sections(const std::string& path, const std::string& text,
                                   std::initializer_list<std::string_view> sections, std::string_view documented_in);

// One table of such a file. Each key looked up is remembered, so that
// check_unknown() names the first key nobody asked for.
class TomlSection {
 public:
  // `path` must outlive the section; the table may be absent (all defaults).
  TomlSection(const toml::table& root, std::string name, const std::string& path, std::string documented_in);

  // The value under `key`, or nullptr when the file leaves it out.
  const toml::node* find(const char* key);
  // "file:line: [section] key reason" (the file alone without a node).
  Status invalid(const toml::node* node, const char* key, std::string_view reason) const;
  Status invalid(const char* key, std::string_view reason) const;
  // Every key of the table must have been looked up.
  Status check_unknown() const;

 private:
  const toml::table* table_;
  std::string name_;
  const std::string& path_;
  std::string documented_in_;
  std::set<std::string> known_;
};

}  // namespace sourcetrace::pipeline
