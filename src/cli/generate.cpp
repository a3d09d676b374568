// `sourcetrace generate`: writes a synthetic marketplace with its answer.
#include <fmt/core.h>

#include "commands.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/cli/progress.hpp"
#include "sourcetrace/market/generator.hpp"

namespace sourcetrace::cli {

namespace {

struct GenerateOptions {
  std::string dir;
  market::GeneratorOptions market;
};

int run_generate(const GenerateOptions& o) {
  ProgressReporter progress("generate");
  market::GeneratorOptions options = o.market;
  options.progress = [&](int done, int total) {
    progress.update(fmt::format("{}/{} tables", done, total), static_cast<double>(done) / total);
  };
  auto summary = market::generate_market(o.dir, options);
  if (!summary.is_ok()) return report_failure(summary.status());
  std::uint64_t rows = 0;
  for (const auto& t : summary.value().tables) rows += t.rows;
  progress.finish(fmt::format(
      "generate: {} sellers, {} warehouses, {} accounts, {} rings ({} ring entities); "
      "{} rows in {} tables to {} in {:.1f} s",
      summary.value().sellers, summary.value().warehouses, summary.value().accounts,
      summary.value().rings, summary.value().ring_entities, rows, summary.value().tables.size(),
      o.dir, progress.seconds()));
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
  cmd->add_option("--rings", o->market.rings, "Planted counterfeit rings (0: one per 500 sellers)")
      ->capture_default_str();
  cmd->add_option("--seed", o->market.seed, "Random seed: the same seed gives the same bytes")
      ->capture_default_str();
  cmd->add_flag("--gzip", o->market.gzip, "Write every table as NAME.csv.gz");
  cmd->add_option("--threads", o->market.threads, "Threads (0: all cores)")->capture_default_str();
  cmd->callback([o, &exit_code] {
    set_threads(o->market.threads);
    exit_code = run_generate(*o);
  });
}

}  // namespace sourcetrace::cli
