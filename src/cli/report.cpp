// `sourcetrace report`: a brand partner's reports (takedowns, test-buys,
// complaints) sent through a running `sourcetrace serve`, from a CSV file
// with the columns report,kind,id,signal,brand,reported_on. Prints a line
// per rejected row (file:line, the report id, the server's reason) and a
// one-line summary; exits 0 only when every row was taken.
//
// Rows go in batches of --batch (at most the server's --max-reports). A
// report id already taken is answered with its first receipt, so sending a
// file again after a lost connection writes nothing twice.
#include <fmt/core.h>

#include <array>
#include <nlohmann/json.hpp>
#include <string_view>

#include "commands.hpp"
#include "service_client.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/tables/column_reader.hpp"
#include "sourcetrace/tables/csv_reader.hpp"

namespace sourcetrace::cli {

namespace {

namespace api = service::api;

struct ReportOptions {
  ServiceAddress address;
  std::string file;
  int batch = 500;
  bool json = false;
};

constexpr std::array<std::string_view, 6> kReportColumns = {"report", "kind", "id", "signal", "brand", "reported_on"};

struct ReportRow {
  std::uint64_t line;
  api::Report report;
};

// The file's rows; a record the CSV reader cannot split is an error naming
// file:line (the server judges the values).
Result<std::vector<ReportRow>> read_reports(const std::string& path) {
  auto opened = tables::CsvReader::open(path);
  if (!opened.is_ok()) return opened.status();
  tables::CsvReader& reader = *opened.value();
  auto header = tables::read_header(reader, path, kReportColumns);
  if (!header.is_ok()) return header.status();
  const std::vector<int>& column = header.value().column_of;
  std::vector<ReportRow> rows;
  tables::CsvRecord record;
  std::string reason;
  for (;;) {
    const tables::CsvReader::Next next = reader.next(record, reason);
    if (next == tables::CsvReader::Next::kEnd) break;
    if (next == tables::CsvReader::Next::kFatal) return reader.status();
    if (next == tables::CsvReader::Next::kBadRecord) {
      return Status::invalid_input(fmt::format("{}:{}: {}", path, record.line, reason));
    }
    if (record.fields.size() != header.value().width) {
      return Status::invalid_input(fmt::format("{}:{}: {} fields, the header has {}", path, record.line,
                                               record.fields.size(), header.value().width));
    }
    auto field = [&](int c) { return std::string(record.fields[static_cast<std::size_t>(column[c])]); };
    ReportRow row{record.line, {}};
    row.report.report = field(0);
    row.report.entity.kind = field(1);
    row.report.entity.id = field(2);
    row.report.signal = field(3);
    row.report.brand = field(4);
    row.report.reported_on = field(5);
    rows.push_back(std::move(row));
  }
  return rows;
}

int run_report(const ReportOptions& o) {
  if (o.batch < 1) return report_failure(Status::invalid_argument("--batch must be at least 1"));
  auto rows = read_reports(o.file);
  if (!rows.is_ok()) return report_failure(rows.status());
  return with_service(o.address, [&](api::InvestigatorClient& client, const std::string& token) {
    std::size_t accepted = 0, resent = 0, rejected = 0;
    nlohmann::json receipts = nlohmann::json::array();
    const std::vector<ReportRow>& all = rows.value();
    for (std::size_t begin = 0; begin < all.size(); begin += static_cast<std::size_t>(o.batch)) {
      const std::size_t end = std::min(all.size(), begin + static_cast<std::size_t>(o.batch));
      std::vector<api::Report> batch;
      for (std::size_t i = begin; i < end; ++i) batch.push_back(all[i].report);
      std::vector<api::ReportReceipt> answers;
      client.submit_reports(answers, token, batch);
      for (std::size_t i = begin; i < end; ++i) {
        const api::ReportReceipt& r = answers.at(i - begin);
        if (!r.accepted) {
          ++rejected;
          if (!o.json) fmt::print("{}:{}: report {} rejected: {}\n", o.file, all[i].line, r.report, r.reason);
        } else {
          ++accepted;
          resent += r.resent ? 1 : 0;
        }
        receipts.push_back({{"line", all[i].line}, {"report", r.report}, {"accepted", r.accepted},
                            {"reason", r.reason}, {"sequence", r.sequence}, {"received", r.received},
                            {"resent", r.resent}});
      }
    }
    if (o.json) {
      fmt::print("{}\n", nlohmann::json{{"receipts", receipts}, {"accepted", accepted}, {"resent", resent},
                                        {"rejected", rejected}}
                             .dump(2));
    } else {
      fmt::print("report: {} rows sent from {}: {} accepted ({} sent before), {} rejected\n", all.size(), o.file,
                 accepted, resent, rejected);
    }
    return rejected == 0 ? kExitOk : kExitDataError;
  });
}

}  // namespace

void add_report_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ReportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Send reports (report,kind,id,signal,brand,reported_on) to a running `sourcetrace serve`");
  cmd->add_option("FILE", o->file, "CSV of reports (plain or .gz)")->required();
  add_service_address_options(*cmd, o->address);
  cmd->add_option("--batch", o->batch, "Reports per call (at most the server's --max-reports)")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print every receipt as JSON");
  cmd->callback([o, &exit_code] { exit_code = run_report(*o); });
}

}  // namespace sourcetrace::cli
