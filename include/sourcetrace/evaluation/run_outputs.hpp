// Reading what `sourcetrace eval` compares: a batch run's exports
// (networks.csv, members.csv, targets.csv), a generated market's truth.csv
// and the ring shipments of its dataset, into the inputs of metrics.hpp.
//
// Every file is required. A missing one is a kMissingInput Status; a file
// that breaks its contract (docs/tables.md) is kInvalidInput naming
// `file:line: reason`. Nothing is skipped: a metric computed on silently
// dropped rows would look better or worse than the run was. Columns are
// found by header name; other columns are ignored. Files may be gzipped.
#pragma once

#include <string>
#include <vector>

#include "sourcetrace/evaluation/metrics.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::evaluation {

// The exports of one batch run: networks in networks.csv order (most
// suspect first) with their members, and the targets in targets.csv order.
struct RunOutputs {
  std::vector<OutputNetwork> networks;
  std::vector<EntityKey> targets;
};

// Reads OUT_DIR/networks.csv, members.csv and targets.csv (each also as
// .csv.gz). Refused: a network listed twice, a member of a network that
// networks.csv does not list, an entity in two networks or listed twice, a
// target listed twice, ranks that do not increase down the file.
Result<RunOutputs> read_run_outputs(const std::string& out_dir);

// Reads truth.csv (`kind,id,ring,role`, optionally `group` and `fresh`).
// Refused: an unknown kind, role or group, an entity listed twice, a ring
// on a legit entity or none on another, a group on a ring member, a fresh
// value other than empty, 0 or 1.
Result<std::vector<TruthEntry>> read_truth(const std::string& path);

// Reads the dataset's shipments table under the contract's rules and keeps
// the shipments that leave a truth source or distributor, added up per
// origin and destination: the only ones supply cut looks at, so a large
// market's other shipments need not be held in memory.
Result<std::vector<ShipmentEdge>> read_ring_shipments(const std::string& dataset_dir, const TruthIndex& truth);

}  // namespace sourcetrace::evaluation
