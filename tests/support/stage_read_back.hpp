// A stage file read with its store reader and what was read written back:
// two reads gave the same answer exactly when the files written back are
// the same bytes (the writers keep no times, store/h5_file.hpp). The
// damaged-file test and the HDF5 reader fuzzer both judge a read of a
// damaged file this way: an error, or the undamaged file's answer.
#pragma once

#include <functional>
#include <string>

#include "sourcetrace/community/community_file.hpp"
#include "sourcetrace/risk/lineage_file.hpp"
#include "sourcetrace/risk/risk_file.hpp"
#include "sourcetrace/status.hpp"
#include "sourcetrace/store/graph_file.hpp"
#include "sourcetrace/store/h5_file.hpp"
#include "sourcetrace/targets/target_file.hpp"
#include "test_env.hpp"

namespace sourcetrace::testing {

// Reads `file`, writes what it read to `scratch`, returns those bytes.
using ReadBack = std::function<Result<std::string>(const std::string& file, const std::string& scratch)>;

// A run file's group written alone (no root attributes: nothing that
// depends on the time), as bytes.
inline Result<std::string> written_back(const std::string& path, const std::function<Status(store::H5File&)>& fill) {
  {
    auto f = store::H5File::create(path);
    if (!f.is_ok()) return f.status();
    ST_RETURN_IF_ERROR(fill(f.value()));
    ST_RETURN_IF_ERROR(f.value().close());
  }
  return read_file(path);
}

inline Result<std::string> graph_read_back(const std::string& file, const std::string& scratch) {
  store::GraphProvenance provenance;
  auto g = store::read_graph_file(file, &provenance);
  if (!g.is_ok()) return g.status();
  // The entities-only reader too: it must agree or fail as well.
  auto entities = store::read_graph_entities(file);
  if (entities.is_ok() && (entities.value().entities.bytes != g.value().entities.bytes ||
                           entities.value().entities.tags != g.value().entities.tags ||
                           entities.value().region != g.value().region)) {
    return Status::internal("read_graph_entities and read_graph_file disagree");
  }
  ST_RETURN_IF_ERROR(store::write_graph_file(scratch, g.value(), provenance));
  return read_file(scratch);
}

inline Result<std::string> communities_read_back(const std::string& file, const std::string& scratch) {
  auto r = community::read_communities_file(file);
  if (!r.is_ok()) return r.status();
  return written_back(scratch, [&](store::H5File& f) { return community::write_communities(f, r.value()); });
}

inline Result<std::string> risk_read_back(const std::string& file, const std::string& scratch) {
  auto r = risk::read_risk_file(file);
  if (!r.is_ok()) return r.status();
  return written_back(scratch, [&](store::H5File& f) { return risk::write_risk(f, r.value()); });
}

inline Result<std::string> lineage_read_back(const std::string& file, const std::string& scratch) {
  auto r = risk::read_lineage_file(file);
  if (!r.is_ok()) return r.status();
  return written_back(scratch, [&](store::H5File& f) { return risk::write_lineage(f, r.value()); });
}

inline Result<std::string> targets_read_back(const std::string& file, const std::string& scratch) {
  auto r = targets::read_targets_file(file);
  if (!r.is_ok()) return r.status();
  return written_back(scratch, [&](store::H5File& f) { return targets::write_targets(f, r.value()); });
}

}  // namespace sourcetrace::testing
