// `sourcetrace generate`: writes a synthetic marketplace with its answer,
// the fixed market or (--vary, --profile) one drawn from the market family.
#include <fmt/core.h>

#include "commands.hpp"
#include "profile_file.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/cli/progress.hpp"
#include "sourcetrace/market/generator.hpp"
#include "sourcetrace/market/profile.hpp"

namespace sourcetrace::cli {

namespace {

struct GenerateOptions {
  std::string dir;
  market::GeneratorOptions market;
  bool vary = false;
  std::string profile_file;
};

// The varied market's profile: the built-in family, overridden by the
// profile file if one is given, drawn with the market's seed.
Status choose_profile(const GenerateOptions& o, market::GeneratorOptions& options) {
  market::MarketFamily family = market::builtin_family();
  std::string origin = fmt::format("Drawn with seed {} from the built-in market family", options.seed);
  if (!o.profile_file.empty()) {
    auto read = read_profile_file(o.profile_file, family);
    if (!read.is_ok()) return read.status();
    family = std::move(read).value();
    origin += ", with the values and ranges of " + o.profile_file;
  }
  options.profile = market::draw_profile(family, options.seed);
  options.profile_origin = origin + fmt::format(" (generate --sellers {}{} --seed {}).", options.sellers,
                                                options.rings != 0 ? fmt::format(" --rings {}", options.rings) : "",
                                                options.seed);
  return Status::ok();
}

int run_generate(const GenerateOptions& o) {
  market::GeneratorOptions options = o.market;
  if (o.vary || !o.profile_file.empty()) {
    if (Status chosen = choose_profile(o, options); !chosen.is_ok()) return report_failure(chosen);
  }
  ProgressReporter progress("generate");
  options.progress = [&](int done, int total) {
    progress.update(fmt::format("{}/{} tables", done, total), static_cast<double>(done) / total);
  };
  auto summary = market::generate_market(o.dir, options);
  if (!summary.is_ok()) return report_failure(summary.status());
  const market::GeneratorSummary& s = summary.value();
  std::uint64_t rows = 0;
  for (const auto& t : s.tables) rows += t.rows;
  const std::string varied =
      s.profile_path.empty() ? std::string()
                             : fmt::format(", {} fresh storefronts and {} fresh controls; profile in {}",
                                           s.fresh_storefronts, s.fresh_controls, s.profile_path);
  progress.finish(fmt::format(
      "generate: {} sellers, {} warehouses, {} accounts, {} rings ({} ring entities){}; "
      "{} rows in {} tables to {} in {:.1f} s",
      s.sellers, s.warehouses, s.accounts, s.rings, s.ring_entities, varied, rows, s.tables.size(), o.dir,
      progress.seconds()));
  return kExitOk;
}

}  // namespace

void add_generate_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<GenerateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "generate", "Write a synthetic marketplace (the table contract) with its planted answer in truth.csv");
  cmd->add_option("DIR", o->dir, "Folder to write the tables into (created if missing)")->required();
  cmd->add_option("--sellers", o->market.sellers, "Sellers in the market, ring storefronts included")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{10}, std::uint64_t{1'000'000'000}));
  cmd->add_option("--rings", o->market.rings,
                  "Planted counterfeit rings (0: one per 500 sellers; with --vary, as the drawn profile says)")
      ->capture_default_str();
  cmd->add_option("--seed", o->market.seed, "Random seed: the same seed gives the same bytes")
      ->capture_default_str();
  cmd->add_flag("--vary", o->vary,
                "Draw the market's structure from the built-in market family with the seed (docs/generator.md); "
                "writes profile.toml and truth.csv's group and fresh columns");
  cmd->add_option("--profile", o->profile_file,
                  "TOML file of fixed values (key = 0.3) or ranges (key = [0.1, 0.5]) overriding the family's; "
                  "implies --vary (a profile.toml it wrote gives the same market again)");
  cmd->add_flag("--gzip", o->market.gzip, "Write every table as NAME.csv.gz");
  cmd->add_option("--threads", o->market.threads, "Threads (0: all cores)")->capture_default_str();
  cmd->callback([o, &exit_code] {
    set_threads(o->market.threads);
    exit_code = run_generate(*o);
  });
}

}  // namespace sourcetrace::cli
