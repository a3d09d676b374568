// read_combined_slice: balanced ranges, hyperslab reads, ghost degrees,
// combined rows (see the header).
#include "sourcetrace/dist/graph_slice.hpp"

#include <fmt/core.h>
#include <hdf5.h>

#include <algorithm>
#include <numeric>

#include "sourcetrace/store/graph_file.hpp"
#include "sourcetrace/store/h5_file.hpp"

namespace sourcetrace::dist {

namespace {

// graph.h5 opened through MPI-IO, read collectively by hyperslab.
class ParallelGraphFile {
 public:
  ParallelGraphFile(MPI_Comm comm, const std::string& path) : path_(path) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
    file_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    xfer_ = H5Pcreate(H5P_DATASET_XFER);
    H5Pset_dxpl_mpio(xfer_, H5FD_MPIO_COLLECTIVE);
  }
  ~ParallelGraphFile() {
    H5Pclose(xfer_);
    if (file_ >= 0) H5Fclose(file_);
  }
  bool is_open() const { return file_ >= 0; }

  // Elements [begin, begin + count) of a 1-D dataset. Collective: every
  // rank calls it for the same dataset, with its own range (maybe empty).
  template <typename T>
  Status read(const std::string& dataset, std::uint64_t begin, std::uint64_t count, std::vector<T>& out) {
    out.resize(count);
    hid_t d = H5Dopen2(file_, dataset.c_str(), H5P_DEFAULT);
    if (d < 0) return Status::corrupt(fmt::format("{}: {} is missing", path_, dataset));
    hid_t space = H5Dget_space(d);
    hsize_t start = begin, n = count;
    hid_t memory = H5Screate_simple(1, &n, nullptr);
    if (count == 0) {
      H5Sselect_none(space);
      H5Sselect_none(memory);
    } else {
      H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, nullptr, &n, nullptr);
    }
    const herr_t rc = H5Dread(d, memory_type<T>(), memory, space, xfer_, out.data());
    H5Sclose(memory);
    H5Sclose(space);
    H5Dclose(d);
    bytes_read_ += count * sizeof(T);
    if (rc < 0) {
      return Status::io_error(fmt::format("{}: cannot read {} [{}, {})", path_, dataset, begin, begin + count));
    }
    return Status::ok();
  }
  std::uint64_t bytes_read() const { return bytes_read_; }

 private:
  template <typename T>
  static hid_t memory_type() {
    if constexpr (std::is_same_v<T, std::uint64_t>) return H5T_NATIVE_UINT64;
    if constexpr (std::is_same_v<T, std::uint32_t>) return H5T_NATIVE_UINT32;
    if constexpr (std::is_same_v<T, float>) return H5T_NATIVE_FLOAT;
    if constexpr (std::is_same_v<T, std::uint16_t>) return H5T_NATIVE_UINT16;
  }

  std::string path_;
  hid_t file_ = -1;
  hid_t xfer_ = -1;
  std::uint64_t bytes_read_ = 0;
};

// One layer as this rank reads it.
struct LayerSlice {
  std::string group;  // "/layers/<name>/"
  std::size_t layer = 0;
  std::vector<std::uint64_t> offsets;  // owned + 1 entries, as in the file
  std::vector<VertexId> targets;
  std::vector<std::uint32_t> events;
  bool typed = false;                       // the layer has link types (graph::Layer::link_events)
  std::vector<std::uint16_t> link_events;  // kLinkTypes per arc, when typed
  std::vector<float> weights;  // plain graphs only
  std::vector<double> damping;  // owned vertices, then ghosts
};

// The same Status on every rank: the first failure any rank saw.
Status agree(MPI_Comm comm, const Status& mine) {
  int rank = 0, failed_rank = 0;
  MPI_Comm_rank(comm, &rank);
  const int mine_failed = mine.is_ok() ? INT32_MAX : rank;
  MPI_Allreduce(&mine_failed, &failed_rank, 1, MPI_INT, MPI_MIN, comm);
  if (failed_rank == INT32_MAX) return Status::ok();
  std::string message = mine.message();
  int length = static_cast<int>(message.size());
  MPI_Bcast(&length, 1, MPI_INT, failed_rank, comm);
  message.resize(static_cast<std::size_t>(length));
  MPI_Bcast(message.data(), length, MPI_CHAR, failed_rank, comm);
  return rank == failed_rank ? mine : Status::io_error(message);
}

// Vertex ranges with about equal arcs per rank, from a first read of equal
// vertex ranges of the offsets.
Result<VertexRanges> balanced_ranges(MPI_Comm comm, ParallelGraphFile& file, const std::vector<LayerSlice>& layers,
                                     VertexId n) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const auto even = [&](int r) { return static_cast<VertexId>(std::uint64_t{n} * r / size); };
  const VertexId lo = even(rank), hi = even(rank + 1);
  // arcs[i]: arcs of all layers before vertex lo + i.
  std::vector<std::uint64_t> arcs(hi - lo + 1, 0), offsets;
  for (const LayerSlice& l : layers) {
    ST_RETURN_IF_ERROR(file.read(l.group + "offsets", lo, hi - lo + 1, offsets));
    for (std::size_t i = 0; i < arcs.size(); ++i) arcs[i] += offsets[i];
  }
  return VertexRanges::balanced(comm, lo, arcs, n);
}

}  // namespace

Result<DistributedGraph> read_combined_slice(MPI_Comm comm, const std::string& path,
                                             const graph::CombineOptions& options, SliceReadStats* stats) {
  const double start = MPI_Wtime();
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);

  // Small things first, from an ordinary (per-rank) open: the format, the
  // kind of graph and its layers.
  bool plain = false;
  VertexId n = 0;
  std::vector<LayerSlice> layers;
  Status checked = [&]() -> Status {
    auto provenance = store::read_graph_provenance(path);  // checks format and version
    if (!provenance.is_ok()) return provenance.status();
    auto f = store::H5File::open(path);
    if (!f.is_ok()) return f.status();
    auto kind = f.value().read_string_attribute("/", "source_kind");
    plain = kind.is_ok() && kind.value() != "market";
    auto count = f.value().array_size("/entities/kind");
    if (!count.is_ok()) return count.status();
    n = static_cast<VertexId>(count.value());
    auto order = f.value().read_string_attribute("/layers", "order");
    if (!order.is_ok()) return order.status();
    std::string_view rest = order.value();
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      const std::string name(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      std::size_t id = graph::kLayerNames.size();
      for (std::size_t i = 0; i < graph::kLayerNames.size(); ++i) {
        if (graph::kLayerNames[i] == name) id = i;
      }
      const bool used = plain || (id < options.layer_weight.size() && options.layer_weight[id] != 0);
      if (used) {
        const std::string group = "/layers/" + name + "/";
        layers.push_back({group, id, {}, {}, {}, f.value().exists(group + "link_events"), {}, {}, {}});
      }
      if (plain) break;  // a plain graph is its first layer as it is
    }
    return Status::ok();
  }();
  ST_RETURN_IF_ERROR(agree(comm, checked));

  ParallelGraphFile file(comm, path);
  ST_RETURN_IF_ERROR(agree(comm, file.is_open() ? Status::ok()
                                                : Status::io_error(path + ": cannot open through MPI-IO")));
  auto ranged = balanced_ranges(comm, file, layers, n);
  ST_RETURN_IF_ERROR(agree(comm, ranged.status()));
  VertexRanges ranges = std::move(ranged).value();
  const VertexId lo = ranges.begin[rank], hi = ranges.begin[rank + 1], owned = hi - lo;

  // This rank's rows of every layer.
  Status read = Status::ok();
  for (LayerSlice& l : layers) {
    Status s = file.read(l.group + "offsets", lo, owned + 1, l.offsets);
    const std::uint64_t from = l.offsets.empty() ? 0 : l.offsets.front();
    const std::uint64_t arcs = l.offsets.empty() ? 0 : l.offsets.back() - from;
    if (s.is_ok()) s = file.read(l.group + "targets", from, arcs, l.targets);
    if (s.is_ok()) {
      s = plain ? file.read(l.group + "weights", from, arcs, l.weights)
                : file.read(l.group + "events", from, arcs, l.events);
    }
    if (s.is_ok() && l.typed) {
      s = file.read(l.group + "link_events", from * graph::kLinkTypes, arcs * graph::kLinkTypes, l.link_events);
    }
    for (auto& o : l.offsets) o -= from;
    if (s.is_ok() && read.is_ok()) read = s;
    if (!s.is_ok()) break;
  }
  ST_RETURN_IF_ERROR(agree(comm, read));

  std::vector<EdgeIndex> offsets(static_cast<std::size_t>(owned) + 1, 0);
  std::vector<VertexId> targets;
  std::vector<float> weights;
  if (plain) {
    if (!layers.empty()) {
      offsets = std::move(layers[0].offsets);
      targets = std::move(layers[0].targets);
      weights = std::move(layers[0].weights);
    }
  } else {
    // Ghosts of any layer, and their degree in each layer from the owner.
    std::vector<VertexId> ghosts;
    for (const LayerSlice& l : layers) {
      for (VertexId t : l.targets) {
        if (t < lo || t >= hi) ghosts.push_back(t);
      }
    }
    std::sort(ghosts.begin(), ghosts.end());
    ghosts.erase(std::unique(ghosts.begin(), ghosts.end()), ghosts.end());
    std::vector<std::vector<VertexId>> wanted(static_cast<std::size_t>(size));
    for (VertexId v : ghosts) wanted[ranges.owner(v)].push_back(v);
    std::vector<int> from;
    const std::vector<VertexId> asked = all_to_all(comm, wanted, &from);
    for (LayerSlice& l : layers) {
      std::vector<std::vector<std::uint32_t>> degrees(static_cast<std::size_t>(size));
      std::size_t at = 0;
      for (int r = 0; r < size; ++r) {
        for (int i = 0; i < from[r]; ++i, ++at) {
          const VertexId v = asked[at] - lo;
          degrees[r].push_back(static_cast<std::uint32_t>(l.offsets[v + 1] - l.offsets[v]));
        }
      }
      const std::vector<std::uint32_t> ghost_degree = all_to_all(comm, degrees);
      l.damping.resize(owned + ghosts.size());
      for (VertexId v = 0; v < owned; ++v) {
        l.damping[v] = graph::hub_damping(options, static_cast<double>(l.offsets[v + 1] - l.offsets[v]));
      }
      for (std::size_t g = 0; g < ghosts.size(); ++g) {
        l.damping[owned + g] = graph::hub_damping(options, static_cast<double>(ghost_degree[g]));
      }
    }
    auto damping_of = [&](std::size_t i, VertexId v) {
      if (v >= lo && v < hi) return layers[i].damping[v - lo];
      const auto g = std::lower_bound(ghosts.begin(), ghosts.end(), v) - ghosts.begin();
      return layers[i].damping[owned + static_cast<std::size_t>(g)];
    };
    std::vector<graph::LayerRow> rows(layers.size());
    for (VertexId v = 0; v < owned; ++v) {
      for (std::size_t i = 0; i < layers.size(); ++i) {
        const LayerSlice& l = layers[i];
        const std::size_t b = l.offsets[v], e = l.offsets[v + 1];
        rows[i] = {l.layer, {l.targets.data() + b, e - b}, {l.events.data() + b, e - b}, l.damping[v],
                   l.typed ? std::span<const std::uint16_t>(l.link_events.data() + b * graph::kLinkTypes,
                                                            (e - b) * graph::kLinkTypes)
                           : std::span<const std::uint16_t>()};
      }
      offsets[v + 1] = offsets[v] + graph::combine_row(lo + v, rows, options, damping_of, targets, weights);
    }
  }
  if (stats != nullptr) {
    stats->bytes_read = file.bytes_read();
    stats->seconds = MPI_Wtime() - start;
  }
  return DistributedGraph::from_global_rows(comm, std::move(ranges), std::move(offsets), std::move(targets),
                                            std::move(weights));
}

}  // namespace sourcetrace::dist
