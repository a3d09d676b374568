// Reading a run's exports, truth.csv and the ring shipments for `eval`
// (see run_outputs.hpp).
#include "sourcetrace/evaluation/run_outputs.hpp"

#include <fmt/core.h>

#include <charconv>
#include <functional>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "sourcetrace/store/run_manifest.hpp"
#include "sourcetrace/tables/column_reader.hpp"
#include "sourcetrace/tables/csv_reader.hpp"
#include "sourcetrace/tables/fields.hpp"
#include "sourcetrace/tables/table_reader.hpp"

namespace sourcetrace::evaluation {

namespace {

using risk::Role;

// A value shown in a message only when it is short and printable.
std::string quoted(std::string_view value) {
  if (value.empty() || value.size() > 64 || tables::check_identifier(value) != nullptr) return {};
  return fmt::format(" ('{}')", value);
}

std::string parse_entity(std::string_view kind, std::string_view id, EntityKey& out) {
  auto k = parse_entity_kind(kind);
  if (!k) return "column 'kind': unknown kind" + quoted(kind);
  if (const char* why = tables::check_identifier(id)) return fmt::format("column 'id': {}", why);
  out.kind = *k;
  out.id.assign(id);
  return {};
}

std::string describe(const EntityKey& e) { return fmt::format("{} '{}'", entity_kind_name(e.kind), e.id); }

// NAME.csv or NAME.csv.gz in `dir`, which must be there; in a finished
// run, as its manifest lists it (store/run_manifest.hpp).
Result<std::string> required_file(const std::string& dir, std::string_view name, std::string_view what) {
  auto found = tables::find_table_file(dir, name);
  if (!found.is_ok()) return found.status();
  if (!found.value()) {
    return Status::missing_input(fmt::format("{}/{}.csv: no such file ({} needs it)", dir, name, what));
  }
  ST_RETURN_IF_ERROR(store::check_against_manifest(*found.value()));
  return *found.value();
}

Status read_networks(const std::string& out_dir, RunOutputs& outputs,
                     std::unordered_map<std::string, std::size_t>& position) {
  auto path = required_file(out_dir, "networks", "a run's evaluation");
  if (!path.is_ok()) return path.status();
  return tables::read_columns(path.value(), {"network"}, [&](const std::vector<std::string_view>& v) -> std::string {
    if (const char* why = tables::check_identifier(v[0])) return fmt::format("column 'network': {}", why);
    if (!position.emplace(std::string(v[0]), outputs.networks.size()).second) {
      return "network listed twice" + quoted(v[0]);
    }
    outputs.networks.push_back({std::string(v[0]), {}});
    return {};
  });
}

Status read_members(const std::string& out_dir, RunOutputs& outputs,
                    const std::unordered_map<std::string, std::size_t>& position) {
  auto path = required_file(out_dir, "members", "a run's evaluation");
  if (!path.is_ok()) return path.status();
  // Which network each entity is in, to refuse an entity in two: the
  // metrics count every entity once.
  std::unordered_map<EntityKey, std::string_view, EntityKeyHash> network_of;
  EntityKey member;
  return tables::read_columns(path.value(), {"network", "kind", "id"},
                      [&](const std::vector<std::string_view>& v) -> std::string {
                        auto n = position.find(std::string(v[0]));
                        if (n == position.end()) return "column 'network': not in networks.csv" + quoted(v[0]);
                        if (std::string why = parse_entity(v[1], v[2], member); !why.empty()) return why;
                        auto [it, fresh] = network_of.emplace(member, outputs.networks[n->second].network);
                        if (!fresh) {
                          return fmt::format("{} is already a member of network '{}'", describe(member),
                                             it->second);
                        }
                        outputs.networks[n->second].members.push_back(member);
                        return {};
                      });
}

Status read_targets(const std::string& out_dir, RunOutputs& outputs) {
  auto path = required_file(out_dir, "targets", "a run's evaluation");
  if (!path.is_ok()) return path.status();
  std::unordered_set<EntityKey, EntityKeyHash> seen;
  std::uint64_t last_rank = 0;
  EntityKey target;
  return tables::read_columns(path.value(), {"rank", "kind", "id"}, [&](const std::vector<std::string_view>& v) -> std::string {
    // The metrics take the targets in file order; ranks that disagree with
    // it mean a file that was sorted by something else, so refuse it
    // rather than guess which order was meant.
    std::uint64_t rank = 0;
    auto [end, ec] = std::from_chars(v[0].data(), v[0].data() + v[0].size(), rank);
    if (ec != std::errc() || end != v[0].data() + v[0].size() || rank == 0) {
      return "column 'rank': not a positive whole number" + quoted(v[0]);
    }
    if (rank <= last_rank) return fmt::format("column 'rank': {} after {} (ranks must increase)", rank, last_rank);
    last_rank = rank;
    if (std::string why = parse_entity(v[1], v[2], target); !why.empty()) return why;
    if (!seen.insert(target).second) return describe(target) + " is listed twice";
    outputs.targets.push_back(target);
    return {};
  });
}

// Keeps the shipments that leave a truth source or distributor.
class RingShipments : public tables::RowHandler {
 public:
  explicit RingShipments(const TruthIndex& truth) : truth_(truth) {}

  const char* on_row(const tables::ShipmentRow& row) override {
    origin_.kind = row.origin.kind;
    origin_.id.assign(row.origin.id);
    const Role role = truth_.role_of(origin_);
    if (role != Role::kSource && role != Role::kDistributor) return nullptr;
    // Identifiers hold no control characters, so '\n' separates safely.
    pair_.clear();
    pair_ += static_cast<char>('0' + static_cast<int>(row.origin.kind));
    pair_ += row.origin.id;
    pair_ += '\n';
    pair_ += static_cast<char>('0' + static_cast<int>(row.destination.kind));
    pair_ += row.destination.id;
    auto [it, fresh] = edge_of_.emplace(pair_, edges_.size());
    if (fresh) edges_.push_back({origin_, {row.destination.kind, std::string(row.destination.id)}, 0});
    edges_[it->second].units += row.units;
    return nullptr;
  }

  std::vector<ShipmentEdge> take_edges() { return std::move(edges_); }

 private:
  const TruthIndex& truth_;
  EntityKey origin_;
  std::string pair_;
  std::unordered_map<std::string, std::size_t> edge_of_;
  std::vector<ShipmentEdge> edges_;
};

}  // namespace

Result<RunOutputs> read_run_outputs(const std::string& out_dir) {
  RunOutputs outputs;
  std::unordered_map<std::string, std::size_t> position;
  ST_RETURN_IF_ERROR(read_networks(out_dir, outputs, position));
  ST_RETURN_IF_ERROR(read_members(out_dir, outputs, position));
  ST_RETURN_IF_ERROR(read_targets(out_dir, outputs));
  return outputs;
}

Result<std::vector<TruthEntry>> read_truth(const std::string& path) {
  std::vector<TruthEntry> truth;
  std::unordered_set<EntityKey, EntityKeyHash> seen;
  TruthEntry entry;
  auto on_row = [&](const std::vector<std::string_view>& v) -> std::string {
    if (std::string why = parse_entity(v[0], v[1], entry.entity); !why.empty()) return why;
    auto role = risk::parse_role(v[3]);
    if (!role) {
      return "column 'role': unknown role (expected one of source, distributor, storefront, collector, legit)" +
             quoted(v[3]);
    }
    if (!v[2].empty()) {
      if (const char* why = tables::check_identifier(v[2])) return fmt::format("column 'ring': {}", why);
    }
    if (*role == Role::kLegit && !v[2].empty()) return "column 'ring': a legit entity in a ring" + quoted(v[2]);
    if (*role != Role::kLegit && v[2].empty()) return fmt::format("column 'ring': empty for a {}", risk::role_name(*role));
    auto group = parse_look_alike(v[4]);
    if (!group) return "column 'group': unknown group (expected empty, multi_store, franchise or hub)" + quoted(v[4]);
    if (*group != LookAlike::kNone && !v[2].empty()) return "column 'group': a ring member in a legitimate look-alike";
    if (v[5] != "" && v[5] != "0" && v[5] != "1") return "column 'fresh': expected empty, 0 or 1" + quoted(v[5]);
    if (!seen.insert(entry.entity).second) return describe(entry.entity) + " is listed twice";
    entry.ring.assign(v[2]);
    entry.role = *role;
    entry.group = *group;
    entry.fresh = v[5] == "1";
    truth.push_back(entry);
    return {};
  };
  Status read = tables::read_columns(path, {"kind", "id", "ring", "role"}, {"group", "fresh"}, on_row);
  if (!read.is_ok()) return read;
  return truth;
}

Result<std::vector<ShipmentEdge>> read_ring_shipments(const std::string& dataset_dir, const TruthIndex& truth) {
  auto path = required_file(dataset_dir, "shipments", "the supply cut");
  if (!path.is_ok()) return path.status();
  RingShipments ring_shipments(truth);
  tables::TableStats stats;
  Status read = tables::read_table(path.value(), tables::Table::kShipments, ring_shipments,
                                   tables::reject_strictly, stats);
  if (!read.is_ok()) return read;
  return ring_shipments.take_edges();
}

}  // namespace sourcetrace::evaluation
