// `/targets` in a stage file.
#include "sourcetrace/targets/target_file.hpp"

#include <span>

#include "sourcetrace/store/run_file.hpp"

namespace sourcetrace::targets {

Status write_targets(store::H5File& f, const TargetRecord& r) {
  const std::string g = "/targets";
  ST_RETURN_IF_ERROR(f.create_group(g));
  std::vector<std::uint32_t> vertex, rank;
  std::vector<std::uint8_t> role;
  std::vector<double> marginal, impact, gain;
  std::vector<std::uint64_t> offsets{0};
  std::string reasons;
  for (const RankedTarget& t : r.ranked) {
    rank.push_back(t.rank);
    vertex.push_back(t.target.vertex);
    role.push_back(static_cast<std::uint8_t>(t.target.role));
    marginal.push_back(t.target.marginal);
    impact.push_back(t.target.impact);
    gain.push_back(t.weighted_gain);
    reasons += t.target.reason;
    offsets.push_back(reasons.size());
  }
  ST_RETURN_IF_ERROR(f.write_array(g + "/rank", rank));
  ST_RETURN_IF_ERROR(f.write_array(g + "/community", r.community));
  ST_RETURN_IF_ERROR(f.write_array(g + "/entity", vertex));
  ST_RETURN_IF_ERROR(f.write_array(g + "/role", role));
  ST_RETURN_IF_ERROR(f.write_array(g + "/marginal", marginal));
  ST_RETURN_IF_ERROR(f.write_array(g + "/impact", impact));
  ST_RETURN_IF_ERROR(f.write_array(g + "/weighted_gain", gain));
  ST_RETURN_IF_ERROR(f.write_array(g + "/reason_offsets", offsets));
  ST_RETURN_IF_ERROR(f.write_array(
      g + "/reason_bytes",
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(reasons.data()), reasons.size())));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "risk_digest", r.risk_digest));
  return f.write_attribute(g, "job_digest", r.job_digest);
}

Result<TargetRecord> read_targets(const store::H5File& f) {
  const std::string g = "/targets";
  if (!f.exists(g)) return Status::corrupt(f.path() + ": no /targets group (run `sourcetrace targets`)");
  auto rank = f.read_array<std::uint32_t>(g + "/rank");
  auto community = f.read_array<std::uint32_t>(g + "/community");
  auto vertex = f.read_array<std::uint32_t>(g + "/entity");
  auto role = f.read_array<std::uint8_t>(g + "/role");
  auto marginal = f.read_array<double>(g + "/marginal");
  auto impact = f.read_array<double>(g + "/impact");
  auto gain = f.read_array<double>(g + "/weighted_gain");
  auto offsets = f.read_array<std::uint64_t>(g + "/reason_offsets");
  auto bytes = f.read_array<std::uint8_t>(g + "/reason_bytes");
  for (const Status* s : {&rank.status(), &community.status(), &vertex.status(), &role.status(),
                          &marginal.status(), &impact.status(), &gain.status(), &offsets.status(),
                          &bytes.status()}) {
    if (!s->is_ok()) return *s;
  }
  const std::size_t n = rank.value().size();
  for (std::size_t size : {community.value().size(), vertex.value().size(), role.value().size(),
                           marginal.value().size(), impact.value().size(), gain.value().size(),
                           offsets.value().size() - 1}) {
    if (size != n) return Status::corrupt(f.path() + ": /targets arrays of inconsistent length");
  }
  if (offsets.value().back() != bytes.value().size()) return Status::corrupt(f.path() + ": /targets reasons damaged");
  TargetRecord r;
  r.community = std::move(community).value();
  for (std::size_t i = 0; i < n; ++i) {
    if (role.value()[i] >= risk::kRoleNames.size()) return Status::corrupt(f.path() + ": /targets/role out of range");
    RankedTarget t;
    t.rank = rank.value()[i];
    t.weighted_gain = gain.value()[i];
    t.target.vertex = vertex.value()[i];
    t.target.role = static_cast<risk::Role>(role.value()[i]);
    t.target.marginal = marginal.value()[i];
    t.target.impact = impact.value()[i];
    const auto& o = offsets.value();
    t.target.reason.assign(bytes.value().begin() + static_cast<std::ptrdiff_t>(o[i]),
                           bytes.value().begin() + static_cast<std::ptrdiff_t>(o[i + 1]));
    r.ranked.push_back(std::move(t));
  }
  for (auto [field, name] : {std::pair{&r.risk_digest, "risk_digest"}, {&r.job_digest, "job_digest"}}) {
    auto value = f.read_string_attribute(g, name);
    *field = value.is_ok() ? value.value() : "";
  }
  return r;
}

Result<TargetRecord> read_targets_file(const std::string& path) {
  auto file = store::open_run_file(path);
  if (!file.is_ok()) return file.status();
  return read_targets(file.value());
}

}  // namespace sourcetrace::targets
