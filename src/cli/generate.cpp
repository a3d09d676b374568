// `sourcetrace generate`: writes a synthetic marketplace with its answer,
// the fixed market or (--vary, --profile) one drawn from the market family,
// once or night by night (--nights, --after: market/market_nights.hpp).
#include <fmt/core.h>

#include "commands.hpp"
#include "profile_file.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/cli/progress.hpp"
#include "sourcetrace/market/generator.hpp"
#include "sourcetrace/market/market_nights.hpp"
#include "sourcetrace/market/profile.hpp"

namespace sourcetrace::cli {

namespace {

struct GenerateOptions {
  std::string dir;
  market::GeneratorOptions market;
  bool vary = false;
  std::string profile_file;
  std::uint32_t nights = 0;  // 0: one market
  std::string after;         // write the night after this folder's
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

// --after PREV: one more night of PREV's market.
int run_next_night(const GenerateOptions& o) {
  ProgressReporter progress("generate");
  market::NightOptions night;
  night.seed = o.market.seed;
  night.gzip = o.market.gzip;
  auto s = market::write_next_night(o.after, o.dir, night);
  if (!s.is_ok()) return report_failure(s.status());
  progress.finish(fmt::format("generate: night {} ({}) after {}: {} planted event rows in events.csv, {} rows added, "
                              "{} removed -> {} in {:.1f} s",
                              s.value().night, s.value().date, o.after, s.value().events, s.value().rows_added,
                              s.value().rows_removed, o.dir, progress.seconds()));
  return kExitOk;
}

int run_generate(const GenerateOptions& o) {
  if (!o.after.empty()) return run_next_night(o);
  market::GeneratorOptions options = o.market;
  if (o.vary || !o.profile_file.empty()) {
    if (Status chosen = choose_profile(o, options); !chosen.is_ok()) return report_failure(chosen);
  }
  ProgressReporter progress("generate");
  options.progress = [&](int done, int total) {
    progress.update(fmt::format("{}/{} tables", done, total), static_cast<double>(done) / total);
  };
  if (o.nights > 0) {
    auto nights = market::generate_nights(o.dir, options, o.nights, market::NightOptions{},
                                          [&](std::uint32_t done) {
                                            progress.update(fmt::format("night {}/{}", done, o.nights),
                                                            static_cast<double>(done) / o.nights);
                                          });
    if (!nights.is_ok()) return report_failure(nights.status());
    std::uint64_t events = 0;
    for (const auto& n : nights.value()) events += n.events;
    progress.finish(fmt::format("generate: {} nights in {}/night-0 … night-{} ({} planted event rows after night 0) "
                                "in {:.1f} s",
                                o.nights, o.dir, o.nights - 1, events, progress.seconds()));
    return kExitOk;
  }
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
  cmd->add_option("--nights", o->nights,
                  "Write the market night by night: DIR/night-0 … night-(K-1), each a complete dataset with the "
                  "night's planted events in events.csv (docs/generator.md)")
      ->check(CLI::Range(1, 365));
  cmd->add_option("--after", o->after,
                  "Write the night after this night's folder into DIR (its tables, plus one day of planted events)")
      ->excludes("--nights");
  cmd->add_option("--threads", o->market.threads, "Threads (0: all cores)")->capture_default_str();
  cmd->callback([o, &exit_code] {
    set_threads(o->market.threads);
    exit_code = run_generate(*o);
  });
}

}  // namespace sourcetrace::cli
