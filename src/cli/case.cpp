// `sourcetrace case`: one network's case file for a referral
// (service/case_file.hpp): HTML that prints, GraphML and GEXF.
#include <fmt/core.h>

#include "commands.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/service/case_file.hpp"

namespace sourcetrace::cli {

void add_case_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string run, network, out, brand;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "case", "Write one network's case file: printable HTML with its picture, GraphML and GEXF (Gephi, yEd, Linkurious)");
  cmd->add_option("RUN_DIR", o->run, "A run folder made by `sourcetrace run`")->required();
  cmd->add_option("NETWORK", o->network, "The network's id (N and 16 hex digits, as networks.csv lists it)")->required();
  cmd->add_option("--out", o->out, "Folder for NETWORK.html, NETWORK.graphml and NETWORK.gexf")->required();
  cmd->add_option("--brand", o->brand, "Only what this brand's token may see: another brand's network is not found");
  cmd->callback([o, &exit_code] {
    Status written = service::write_case_from_run(o->run, o->network, o->out, o->brand);
    if (!written.is_ok()) {
      exit_code = report_failure(written);
      return;
    }
    fmt::print(stderr, "case: {} -> {}/{}.html, .graphml, .gexf\n", o->network, o->out, o->network);
    exit_code = kExitOk;
  });
}

}  // namespace sourcetrace::cli
