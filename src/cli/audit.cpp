// `sourcetrace audit verify`: checks the query service's audit log, every
// line's hash and the chain between them (service/audit_log.hpp says what
// that catches and what it cannot).
#include <fmt/core.h>

#include <memory>
#include <string>

#include "commands.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/service/audit_log.hpp"

namespace sourcetrace::cli {

namespace {

struct AuditVerifyOptions {
  std::string file;
};

int run_audit_verify(const AuditVerifyOptions& o) {
  auto verified = service::verify_audit_log(o.file);
  if (!verified.is_ok()) return report_failure(verified.status());
  const service::AuditVerification& v = verified.value();
  fmt::print("{}: {} lines, chain intact, sealed by its head{}\n", o.file, v.lines,
             v.sealed == v.lines ? "" : fmt::format(" up to line {} ({} written after it, as at a crash)", v.sealed,
                                                    v.lines - v.sealed));
  return kExitOk;
}

}  // namespace

void add_audit_command(CLI::App& app, int& exit_code) {
  CLI::App* audit = app.add_subcommand("audit", "Check the query service's audit log");
  audit->require_subcommand(1);
  auto o = std::make_shared<AuditVerifyOptions>();
  CLI::App* verify = audit->add_subcommand(
      "verify", "Check every line's hash, the chain and its head (FILE.head): exit 0 when intact, 65 naming the first bad line or the lines cut from the end");
  verify->add_option("FILE", o->file, "The audit log (JSON lines)")->required();
  verify->callback([o, &exit_code] { exit_code = run_audit_verify(*o); });
}

}  // namespace sourcetrace::cli
