// `/risk` in a stage file.
#include "sourcetrace/risk/risk_file.hpp"

#include <span>

#include "sourcetrace/store/run_file.hpp"

namespace sourcetrace::risk {

namespace {

template <typename T, typename F>
std::vector<T> column(const std::vector<NetworkRisk>& networks, F field) {
  std::vector<T> out;
  out.reserve(networks.size());
  for (const NetworkRisk& n : networks) out.push_back(static_cast<T>(field(n)));
  return out;
}

}  // namespace

Status write_risk(store::H5File& f, const RiskRecord& r) {
  const std::string g = "/risk";
  ST_RETURN_IF_ERROR(f.create_group(g));
  std::vector<std::uint8_t> roles(r.roles.size());
  for (std::size_t i = 0; i < roles.size(); ++i) roles[i] = static_cast<std::uint8_t>(r.roles[i]);
  ST_RETURN_IF_ERROR(f.write_array(g + "/entity_role", roles));
  ST_RETURN_IF_ERROR(f.write_array(g + "/entity_positive", r.scores.positive));
  ST_RETURN_IF_ERROR(f.write_array(g + "/entity_negative", r.scores.negative));

  const auto& n = r.networks;
  ST_RETURN_IF_ERROR(f.write_array(g + "/network_risk", column<double>(n, [](auto& x) { return x.risk; })));
  ST_RETURN_IF_ERROR(f.write_array(g + "/network_evidence_risk", column<double>(n, [](auto& x) { return x.evidence_risk; })));
  ST_RETURN_IF_ERROR(f.write_array(g + "/network_structure", column<double>(n, [](auto& x) { return x.structure; })));
  ST_RETURN_IF_ERROR(f.write_array(g + "/network_reports", column<std::uint32_t>(n, [](auto& x) { return x.reports; })));
  std::vector<std::uint64_t> offsets{0};
  std::string bytes;
  for (const NetworkRisk& x : n) {
    bytes += x.reason;
    offsets.push_back(bytes.size());
  }
  ST_RETURN_IF_ERROR(f.write_array(g + "/network_reason_offsets", offsets));
  ST_RETURN_IF_ERROR(f.write_array(
      g + "/network_reason_bytes",
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size())));

  ST_RETURN_IF_ERROR(f.write_attribute(g, "as_of", std::int64_t{r.as_of}));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "graph_digest", r.graph_digest));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "communities_digest", r.communities_digest));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "job_digest", r.job_digest));
  const EvidenceWeights& w = r.weights;
  ST_RETURN_IF_ERROR(f.write_attribute(g, "weight_takedown", w.takedown));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "weight_test_buy_counterfeit", w.test_buy_counterfeit));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "weight_test_buy_genuine", w.test_buy_genuine));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "weight_complaint", w.complaint));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "weight_enforcement_confirmed", w.enforcement_confirmed));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "half_life_days", w.half_life_days));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "prior_sellers", r.options.prior_sellers));
  return f.write_attribute(g, "structure_floor", r.options.structure_floor);
}

Result<RiskRecord> read_risk(const store::H5File& f) {
  const std::string g = "/risk";
  if (!f.exists(g)) return Status::corrupt(f.path() + ": no /risk group (run `sourcetrace score`)");
  RiskRecord r;
  auto roles = f.read_array<std::uint8_t>(g + "/entity_role");
  auto positive = f.read_array<double>(g + "/entity_positive");
  auto negative = f.read_array<double>(g + "/entity_negative");
  auto risk = f.read_array<double>(g + "/network_risk");
  auto evidence = f.read_array<double>(g + "/network_evidence_risk");
  auto structure = f.read_array<double>(g + "/network_structure");
  auto reports = f.read_array<std::uint32_t>(g + "/network_reports");
  auto offsets = f.read_array<std::uint64_t>(g + "/network_reason_offsets");
  auto bytes = f.read_array<std::uint8_t>(g + "/network_reason_bytes");
  for (const Status* s : {&roles.status(), &positive.status(), &negative.status(), &risk.status(),
                          &evidence.status(), &structure.status(), &reports.status(), &offsets.status(),
                          &bytes.status()}) {
    if (!s->is_ok()) return *s;
  }
  const std::size_t networks = risk.value().size();
  if (offsets.value().size() != networks + 1 || offsets.value().back() != bytes.value().size() ||
      evidence.value().size() != networks || structure.value().size() != networks ||
      reports.value().size() != networks || positive.value().size() != roles.value().size() ||
      negative.value().size() != roles.value().size()) {
    return Status::corrupt(f.path() + ": /risk arrays of inconsistent length");
  }
  for (std::uint8_t role : roles.value()) {
    if (role >= kRoleNames.size()) return Status::corrupt(f.path() + ": /risk/entity_role out of range");
    r.roles.push_back(static_cast<Role>(role));
  }
  r.scores.positive = std::move(positive).value();
  r.scores.negative = std::move(negative).value();
  for (std::size_t c = 0; c < networks; ++c) {
    NetworkRisk n;
    n.community = static_cast<community::CommunityId>(c);
    n.risk = risk.value()[c];
    n.evidence_risk = evidence.value()[c];
    n.structure = structure.value()[c];
    n.reports = reports.value()[c];
    const auto& o = offsets.value();
    n.reason.assign(bytes.value().begin() + static_cast<std::ptrdiff_t>(o[c]),
                    bytes.value().begin() + static_cast<std::ptrdiff_t>(o[c + 1]));
    r.networks.push_back(std::move(n));
  }
  if (auto as_of = f.read_int_attribute(g, "as_of"); as_of.is_ok()) r.as_of = static_cast<tables::Day>(as_of.value());
  for (auto [field, name] : {std::pair{&r.graph_digest, "graph_digest"},
                             {&r.communities_digest, "communities_digest"},
                             {&r.job_digest, "job_digest"}}) {
    auto v = f.read_string_attribute(g, name);
    *field = v.is_ok() ? v.value() : "";
  }
  return r;
}

Result<RiskRecord> read_risk_file(const std::string& path) {
  auto file = store::open_run_file(path);
  if (!file.is_ok()) return file.status();
  return read_risk(file.value());
}

}  // namespace sourcetrace::risk
