// The `/communities` group of communities.h5: what `detect` found and how.
//
// Schema (docs/run-h5.md): the final membership, every level's membership,
// modularity and community count per level, and as attributes the
// parameters, the graph it ran on (path and input digest), the job's digest
// and the timings. Written by community detection, read by the later stages
// and by `info`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sourcetrace/community/leiden.hpp"
#include "sourcetrace/community/round_leiden.hpp"
#include "sourcetrace/store/h5_file.hpp"

namespace sourcetrace::community {

struct DetectionRecord {
  LeidenOptions options;
  std::string graph_path;
  std::string graph_digest;  // graph.h5's input digest
  std::string job_digest;    // of the job file's text ("" = built-in defaults)
  int threads = 1;  // per rank
  int ranks = 1;    // MPI ranks (1: one node)
  std::vector<LeidenLevel> hierarchy;  // finest first; the last is the result
  LeidenTimings timings;
  // Where levels moved in rounds (round_leiden.hpp): part of what decides
  // the partition, so recorded with the options.
  std::uint64_t gather_below = RoundLeidenOptions{}.gather_vertices;
  int rounds = RoundLeidenOptions{}.rounds;
  int round_levels = 0;  // levels that moved in rounds (on one node or across ranks)
  // The resolution the detector used: options.resolution, or what
  // options.density made of it on this graph (0: not known).
  double resolution_used = 0;
};

Status write_communities(store::H5File& file, const DetectionRecord& record);

// Reads the final partition and the parameters back (hierarchy included).
Result<DetectionRecord> read_communities(const store::H5File& file);
// The same from a stage file's path (opened as a run file).
Result<DetectionRecord> read_communities_file(const std::string& path);

}  // namespace sourcetrace::community
