// H5File: thin RAII over the HDF5 C API, one function per need.
#include "sourcetrace/store/h5_file.hpp"

#include <hdf5.h>
#include <libdeflate.h>
#include <omp.h>

#include <algorithm>
#include <iterator>
#include <memory>

namespace sourcetrace::store {

namespace {

constexpr hsize_t kChunkElements = 1 << 18;

template <typename T>
hid_t native_type();
template <> hid_t native_type<std::uint8_t>() { return H5T_NATIVE_UINT8; }
template <> hid_t native_type<std::uint16_t>() { return H5T_NATIVE_UINT16; }
template <> hid_t native_type<std::int32_t>() { return H5T_NATIVE_INT32; }
template <> hid_t native_type<std::uint32_t>() { return H5T_NATIVE_UINT32; }
template <> hid_t native_type<std::uint64_t>() { return H5T_NATIVE_UINT64; }
template <> hid_t native_type<float>() { return H5T_NATIVE_FLOAT; }
template <> hid_t native_type<double>() { return H5T_NATIVE_DOUBLE; }

// Closes an HDF5 identifier at scope exit.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  ~Handle() {
    if (id_ >= 0) closer_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  Closer closer_;
};

// Keeps every attribute (and, for a group, every link) of an object in its
// object header, which the v2 format checksums, instead of moving them to
// dense storage (a fractal heap) once an object has more than 8. No
// access and modification times in the headers: the same content gives
// the same bytes.
constexpr unsigned kMaxCompact = 4096;

bool keep_in_header(hid_t ocpl, bool group) {
  return H5Pset_attr_phase_change(ocpl, kMaxCompact, 0) >= 0 && H5Pset_obj_track_times(ocpl, 0) >= 0 &&
         (!group || H5Pset_link_phase_change(ocpl, kMaxCompact, 0) >= 0);
}

void silence_hdf5() {
  static const bool once = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)once;
}

}  // namespace

Status H5File::error(const std::string& what) const {
  return Status::io_error(path_ + ": " + what);
}

Result<H5File> H5File::create(const std::string& path) {
  silence_hdf5();
  // File format of HDF5 1.10 (no older): the superblock, object headers,
  // B-trees and chunk indexes carry checksums that HDF5 checks on every
  // read. Not later either, so that HDF5 1.10 (Debian's h5py) reads it.
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_V110) < 0) {
    return Status::cannot_create(path + ": this HDF5 cannot write the 1.10 file format");
  }
  Handle fcpl(H5Pcreate(H5P_FILE_CREATE), H5Pclose);  // also the root group's
  if (!keep_in_header(fcpl.get(), true)) return Status::cannot_create(path + ": cannot set the root group's properties");
  hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get());
  if (id < 0) return Status::cannot_create(path + ": cannot create HDF5 file");
  return H5File(id, path);
}

Result<H5File> H5File::open(const std::string& path) {
  silence_hdf5();
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) return Status::missing_input(path + ": no such file");
    std::fclose(f);
    return Status::corrupt(path + ": not an HDF5 file (or its first bytes are damaged)");
  }
  hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) return Status::corrupt(path + ": cannot open as HDF5 (damaged, or not written by this engine)");
  return H5File(id, path);
}

H5File& H5File::operator=(H5File&& other) noexcept {
  if (this != &other) {
    if (id_ >= 0) H5Fclose(id_);
    id_ = std::exchange(other.id_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

H5File::~H5File() {
  if (id_ >= 0) H5Fclose(id_);
}

Status H5File::close() {
  if (id_ < 0) return Status::ok();
  herr_t rc = H5Fclose(std::exchange(id_, -1));
  return rc < 0 ? error("close failed") : Status::ok();
}

bool H5File::exists(const std::string& object) const {
  auto found = find(object);
  return found.is_ok() && found.value();
}

Result<bool> H5File::find(const std::string& object) const {
  if (object == "/") return true;
  // Check each prefix: H5Lexists fails on a missing intermediate group. A
  // negative answer is HDF5 failing to read the group (a checksum), not
  // the object's absence.
  std::size_t pos = 0;
  while ((pos = object.find('/', pos + 1)) != std::string::npos) {
    const htri_t there = H5Lexists(id_, object.substr(0, pos).c_str(), H5P_DEFAULT);
    if (there < 0) return damaged("group " + object.substr(0, pos));
    if (there == 0) return false;
  }
  const htri_t there = H5Lexists(id_, object.c_str(), H5P_DEFAULT);
  if (there < 0) return damaged("the group holding " + object);
  return there > 0;
}

Status H5File::damaged(const std::string& what) const {
  return Status::corrupt(path_ + ": cannot read " + what +
                         " (the file is damaged: a checksum does not match or HDF5 cannot decode it)");
}

Status H5File::create_group(const std::string& group) {
  if (exists(group)) return Status::ok();
  // One level at a time, so that every group gets the creation properties.
  const std::size_t slash = group.rfind('/');
  if (slash != std::string::npos && slash > 0) ST_RETURN_IF_ERROR(create_group(group.substr(0, slash)));
  Handle gcpl(H5Pcreate(H5P_GROUP_CREATE), H5Pclose);
  if (!keep_in_header(gcpl.get(), true)) return error("cannot set the properties of group " + group);
  Handle g(H5Gcreate2(id_, group.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), H5Gclose);
  return g.ok() ? Status::ok() : error("cannot create group " + group);
}

Result<std::vector<std::string>> H5File::list(const std::string& group) const {
  auto found = find(group);
  if (!found.is_ok()) return found.status();
  if (!found.value()) return Status::not_found(path_ + ": no group " + group);
  Handle g(H5Gopen2(id_, group.c_str(), H5P_DEFAULT), H5Gclose);
  if (!g.ok()) return damaged("group " + group);
  std::vector<std::string> names;
  auto visit = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  };
  if (H5Literate(g.get(), H5_INDEX_NAME, H5_ITER_INC, nullptr, visit, &names) < 0) {
    return damaged("the members of " + group);
  }
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

// HDF5's Fletcher-32 checksum (H5_checksum_fletcher32 in H5checksum.c):
// sums of big-endian 16-bit words, an odd last byte as the high half of
// one, folded to 16 bits every 360 words.
std::uint32_t fletcher32(const unsigned char* data, std::size_t bytes) {
  std::size_t words = bytes / 2;
  std::uint32_t sum1 = 0, sum2 = 0;
  while (words > 0) {
    std::size_t run = std::min<std::size_t>(words, 360);
    words -= run;
    for (; run > 0; --run, data += 2) {
      sum1 += (static_cast<std::uint32_t>(data[0]) << 8) | data[1];
      sum2 += sum1;
    }
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  }
  if (bytes % 2 != 0) {
    sum1 += static_cast<std::uint32_t>(*data) << 8;
    sum2 += sum1;
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  }
  sum1 = (sum1 & 0xffff) + (sum1 >> 16);
  sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  return (sum2 << 16) | sum1;
}

// The filter pipeline of every dataset write_array writes, in order, as
// H5Pset_shuffle, H5Pset_deflate(1) and H5Pset_fletcher32 declare them
// (Fletcher-32 last: the checksum covers the stored bytes). filter_chunks
// and unfilter_chunks are this pipeline's two directions.
struct OwnFilter {
  H5Z_filter_t id;
  unsigned flags;
  std::size_t values;  // client data: 0 or 1 value
  unsigned value;
};
constexpr OwnFilter kOwnFilters[] = {{H5Z_FILTER_SHUFFLE, H5Z_FLAG_OPTIONAL, 0, 0},
                                     {H5Z_FILTER_DEFLATE, H5Z_FLAG_OPTIONAL, 1, 1},  // level 1
                                     {H5Z_FILTER_FLETCHER32, H5Z_FLAG_MANDATORY, 0, 0}};
constexpr int kDeflateLevel = static_cast<int>(kOwnFilters[1].value);

// Applies HDF5's shuffle, deflate and Fletcher-32 filters, in the order
// the dataset's pipeline declares them, to every chunk of `data`, in
// parallel (HDF5 itself would run them on the calling thread only). Each
// chunk is full-size, the last one padded with zeros, as HDF5 stores it;
// deflate writes the zlib stream HDF5's filter reads (libdeflate: the same
// format as zlib's compress2, in less time); the checksum of the deflated
// bytes follows them, little-endian, as H5Z_filter_fletcher32 appends it,
// so HDF5 checks it on every read. Returns false when compression fails.
bool filter_chunks(const unsigned char* data, std::size_t elements, std::size_t element_size,
                   std::size_t chunk_elements, std::vector<std::vector<unsigned char>>& chunks) {
  const std::size_t count = (elements + chunk_elements - 1) / chunk_elements;
  chunks.assign(count, {});
  int failures = 0;
#pragma omp parallel reduction(+ : failures)
  {
    // A compressor is not shared between threads.
    std::unique_ptr<libdeflate_compressor, void (*)(libdeflate_compressor*)> deflate(
        libdeflate_alloc_compressor(kDeflateLevel), libdeflate_free_compressor);
    std::vector<unsigned char> shuffled;
#pragma omp for schedule(dynamic, 1)
    for (std::size_t c = 0; c < count; ++c) {
      const std::size_t first = c * chunk_elements;
      const std::size_t present = std::min(chunk_elements, elements - first);
      const std::size_t bytes = chunk_elements * element_size;
      shuffled.assign(bytes, 0);
      // Shuffle: byte k of every element, for k = 0 .. element_size-1.
      const unsigned char* src = data + first * element_size;
      for (std::size_t e = 0; e < present; ++e) {
        for (std::size_t k = 0; k < element_size; ++k) {
          shuffled[k * chunk_elements + e] = src[e * element_size + k];
        }
      }
      if (!deflate) {
        ++failures;
        continue;
      }
      chunks[c].resize(libdeflate_zlib_compress_bound(deflate.get(), bytes) + 4);
      const std::size_t size =
          libdeflate_zlib_compress(deflate.get(), shuffled.data(), bytes, chunks[c].data(), chunks[c].size());
      if (size == 0) {
        ++failures;
        continue;
      }
      const std::uint32_t sum = fletcher32(chunks[c].data(), size);
      chunks[c].resize(size + 4);
      for (int k = 0; k < 4; ++k) chunks[c][size + k] = static_cast<unsigned char>(sum >> (8 * k));
    }
  }
  return failures == 0;
}

// Undoes filter_chunks on chunks as H5Dread_chunk returns them, chunks
// first_chunk, first_chunk + 1, ... of the dataset: checks each chunk's
// Fletcher-32 (HDF5 also accepts the byte-swapped sum that releases before
// 1.6.3 wrote), inflates it with libdeflate (which checks the zlib stream's
// Adler-32) and unshuffles its `present` elements into `out` (the whole
// dataset's elements), on all threads. HDF5's own read would do the same on
// one thread with zlib. Returns false when a chunk is damaged.
bool unfilter_chunks(const std::vector<std::vector<unsigned char>>& chunks, std::size_t first_chunk,
                     std::size_t elements, std::size_t element_size, std::size_t chunk_elements,
                     unsigned char* out) {
  int failures = 0;
#pragma omp parallel reduction(+ : failures)
  {
    std::unique_ptr<libdeflate_decompressor, void (*)(libdeflate_decompressor*)> inflate(
        libdeflate_alloc_decompressor(), libdeflate_free_decompressor);
    std::vector<unsigned char> shuffled(chunk_elements * element_size);
#pragma omp for schedule(dynamic, 1)
    for (std::size_t c = 0; c < chunks.size(); ++c) {
      const std::vector<unsigned char>& chunk = chunks[c];
      if (!inflate || chunk.size() < 4) {
        ++failures;
        continue;
      }
      const std::size_t size = chunk.size() - 4;
      std::uint32_t stored = 0;
      for (int k = 0; k < 4; ++k) stored |= static_cast<std::uint32_t>(chunk[size + k]) << (8 * k);
      const std::uint32_t sum = fletcher32(chunk.data(), size);
      const std::uint32_t swapped = ((sum & 0x00ff00ffu) << 8) | ((sum >> 8) & 0x00ff00ffu);
      std::size_t inflated = 0;
      if ((stored != sum && stored != swapped) ||
          libdeflate_zlib_decompress(inflate.get(), chunk.data(), size, shuffled.data(), shuffled.size(),
                                     &inflated) != LIBDEFLATE_SUCCESS ||
          inflated != shuffled.size()) {
        ++failures;
        continue;
      }
      const std::size_t first = (first_chunk + c) * chunk_elements;
      const std::size_t present = std::min(chunk_elements, elements - first);
      unsigned char* dst = out + first * element_size;
      for (std::size_t e = 0; e < present; ++e) {
        for (std::size_t k = 0; k < element_size; ++k) {
          dst[e * element_size + k] = shuffled[k * chunk_elements + e];
        }
      }
    }
  }
  return failures == 0;
}

// The chunk length of a dataset stored as write_array stores it (1-D,
// chunked, kOwnFilters, elements of type `native`); 0 for any other
// layout, which HDF5 reads itself.
hsize_t own_chunking(hid_t ds, hid_t native) {
  Handle type(H5Dget_type(ds), H5Tclose);
  if (!type.ok() || H5Tequal(type.get(), native) <= 0) return 0;
  Handle dcpl(H5Dget_create_plist(ds), H5Pclose);
  if (!dcpl.ok() || H5Pget_layout(dcpl.get()) != H5D_CHUNKED ||
      H5Pget_nfilters(dcpl.get()) != static_cast<int>(std::size(kOwnFilters))) {
    return 0;
  }
  for (unsigned i = 0; i < std::size(kOwnFilters); ++i) {
    unsigned flags = 0, config = 0;
    std::size_t values = 0;
    if (H5Pget_filter2(dcpl.get(), i, &flags, &values, nullptr, 0, nullptr, &config) != kOwnFilters[i].id) return 0;
  }
  hsize_t chunk = 0;
  if (H5Pget_chunk(dcpl.get(), 1, &chunk) != 1) return 0;
  return chunk;
}

}  // namespace

template <typename T>
Status H5File::write_array(const std::string& dataset, std::span<const T> values) {
  std::size_t slash = dataset.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    ST_RETURN_IF_ERROR(create_group(dataset.substr(0, slash)));
  }
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if (!keep_in_header(dcpl.get(), false)) return error("cannot set the properties of dataset " + dataset);
  const hsize_t chunk = std::min(n, kChunkElements);
  if (n > 0) {
    H5Pset_chunk(dcpl.get(), 1, &chunk);
    for (const OwnFilter& f : kOwnFilters) H5Pset_filter(dcpl.get(), f.id, f.flags, f.values, &f.value);
  }
  Handle ds(H5Dcreate2(id_, dataset.c_str(), native_type<T>(), space.get(), H5P_DEFAULT,
                       dcpl.get(), H5P_DEFAULT),
            H5Dclose);
  if (!ds.ok()) return error("cannot create dataset " + dataset);
  if (n == 0) return Status::ok();

  // Filter the chunks on all threads, then hand them to HDF5 as they are.
  std::vector<std::vector<unsigned char>> chunks;
  if (!filter_chunks(reinterpret_cast<const unsigned char*>(values.data()), values.size(), sizeof(T),
                     chunk, chunks)) {
    return error("cannot compress dataset " + dataset);
  }
  for (std::size_t c = 0; c < chunks.size(); ++c) {
    const hsize_t offset = c * chunk;
    if (H5Dwrite_chunk(ds.get(), H5P_DEFAULT, 0, &offset, chunks[c].size(), chunks[c].data()) < 0) {
      return error("cannot write dataset " + dataset);
    }
  }
  return Status::ok();
}

template <typename T>
Result<std::vector<T>> H5File::read_array(const std::string& dataset) const {
  auto found = find(dataset);
  if (!found.is_ok()) return found.status();
  if (!found.value()) return Status::corrupt(path_ + ": no dataset " + dataset);
  Handle ds(H5Dopen2(id_, dataset.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.ok()) return damaged("dataset " + dataset);
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  if (H5Sget_simple_extent_ndims(space.get()) != 1) {
    return Status::corrupt(path_ + ": " + dataset + " is not one-dimensional");
  }
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space.get(), &n, nullptr);
  std::vector<T> values(n);
  if (n == 0) return values;
  // Our own layout: the raw chunks are read here in order (HDF5 is not
  // called from several threads), a batch at a time (so that the compressed
  // bytes held at once stay small), and each batch is decoded on all
  // threads. Anything unexpected (a chunk never written, a filter skipped,
  // a damaged chunk) is left to HDF5's own read, which fills or reports it.
  if (const hsize_t chunk = own_chunking(ds.get(), native_type<T>()); chunk > 0) {
    const std::size_t count = (n + chunk - 1) / chunk;
    const std::size_t batch = 4 * static_cast<std::size_t>(std::max(1, omp_get_max_threads()));
    std::vector<std::vector<unsigned char>> chunks;
    bool read = true;
    for (std::size_t first = 0; first < count && read; first += batch) {
      chunks.resize(std::min(batch, count - first));
      for (std::size_t c = 0; c < chunks.size() && read; ++c) {
        const hsize_t offset = (first + c) * chunk;
        hsize_t stored = 0;
        std::uint32_t mask = 0;
        read = H5Dget_chunk_storage_size(ds.get(), &offset, &stored) >= 0 && stored > 0;
        if (read) chunks[c].resize(stored);
        read = read && H5Dread_chunk(ds.get(), H5P_DEFAULT, &offset, &mask, chunks[c].data()) >= 0 && mask == 0;
      }
      read = read && unfilter_chunks(chunks, first, n, sizeof(T), chunk, reinterpret_cast<unsigned char*>(values.data()));
    }
    if (read) return values;
  }
  if (H5Dread(ds.get(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) {
    return damaged("dataset " + dataset);
  }
  return values;
}

Result<std::uint64_t> H5File::array_size(const std::string& dataset) const {
  auto found = find(dataset);
  if (!found.is_ok()) return found.status();
  if (!found.value()) return Status::corrupt(path_ + ": no dataset " + dataset);
  Handle ds(H5Dopen2(id_, dataset.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.ok()) return damaged("dataset " + dataset);
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  hsize_t n = 0;
  if (H5Sget_simple_extent_dims(space.get(), &n, nullptr) != 1) {
    return Status::corrupt(path_ + ": " + dataset + " is not one-dimensional");
  }
  return static_cast<std::uint64_t>(n);
}

#define ST_INSTANTIATE(T)                                                                  \
  template Status H5File::write_array<T>(const std::string&, std::span<const T>);          \
  template Result<std::vector<T>> H5File::read_array<T>(const std::string&) const;
ST_INSTANTIATE(std::uint8_t)
ST_INSTANTIATE(std::uint16_t)
ST_INSTANTIATE(std::int32_t)
ST_INSTANTIATE(std::uint32_t)
ST_INSTANTIATE(std::uint64_t)
ST_INSTANTIATE(float)
ST_INSTANTIATE(double)
#undef ST_INSTANTIATE

namespace {

// Writes one scalar attribute, replacing an existing one of that name.
Status put_attribute(hid_t file, const std::string& path, const std::string& object,
                     const std::string& name, hid_t type, const void* value) {
  Handle obj(H5Oopen(file, object.c_str(), H5P_DEFAULT), H5Oclose);
  if (!obj.ok()) return Status::io_error(path + ": no object " + object);
  if (H5Aexists(obj.get(), name.c_str()) > 0) H5Adelete(obj.get(), name.c_str());
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attr(H5Acreate2(obj.get(), name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose);
  if (!attr.ok() || H5Awrite(attr.get(), type, value) < 0) {
    return Status::io_error(path + ": cannot write attribute " + object + "@" + name);
  }
  return Status::ok();
}

// Reads a string attribute of either HDF5 string flavour (we write
// fixed-length UTF-8; files of other tools may hold variable-length ones).
Result<std::string> get_string(hid_t attr) {
  Handle type(H5Aget_type(attr), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING) return Status::corrupt("not a string");
  if (H5Tis_variable_str(type.get()) > 0) {
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
    char* text = nullptr;
    if (H5Aread(attr, mem.get(), &text) < 0) return Status::corrupt("unreadable string");
    std::string out = text ? text : "";
    H5free_memory(text);
    return out;
  }
  std::size_t size = H5Tget_size(type.get());
  std::string out(size, '\0');
  if (size > 0 && H5Aread(attr, type.get(), out.data()) < 0) return Status::corrupt("unreadable string");
  while (!out.empty() && out.back() == '\0') out.pop_back();
  return out;
}

// Any scalar attribute as text, for `info` on files of other formats.
std::string attribute_text(hid_t attr) {
  Handle type(H5Aget_type(attr), H5Tclose);
  switch (H5Tget_class(type.get())) {
    case H5T_STRING: {
      auto s = get_string(attr);
      return s.is_ok() ? s.value() : std::string(1, '?');
    }
    case H5T_INTEGER: {
      std::int64_t v = 0;
      H5Aread(attr, H5T_NATIVE_INT64, &v);
      return std::to_string(v);
    }
    case H5T_FLOAT: {
      double v = 0;
      H5Aread(attr, H5T_NATIVE_DOUBLE, &v);
      return std::to_string(v);
    }
    default:
      return std::string(1, '?');
  }
}

}  // namespace

Status H5File::write_attribute(const std::string& object, const std::string& name,
                               std::string_view value) {
  // Fixed-length UTF-8, padded with NULs: the text sits in the attribute
  // message of the checksummed object header. (A variable-length string
  // would sit in the global heap, which HDF5 does not checksum.) h5py reads
  // it as bytes; HDF5 has no zero-length string type, so "" is one NUL.
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), std::max<std::size_t>(value.size(), 1));
  H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  std::string text(value);
  if (text.empty()) text.push_back('\0');
  return put_attribute(id_, path_, object, name, type.get(), text.data());
}

Status H5File::write_attribute(const std::string& object, const std::string& name,
                               std::int64_t value) {
  return put_attribute(id_, path_, object, name, H5T_NATIVE_INT64, &value);
}

Status H5File::write_attribute(const std::string& object, const std::string& name, double value) {
  return put_attribute(id_, path_, object, name, H5T_NATIVE_DOUBLE, &value);
}

Result<std::int64_t> H5File::open_attribute(const std::string& object, const std::string& name) const {
  auto found = find(object);
  if (!found.is_ok()) return found.status();
  const htri_t there =
      found.value() ? H5Aexists_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT) : 0;
  if (there < 0) return damaged("the attributes of " + object);
  if (there == 0) return Status::not_found(path_ + ": no attribute " + object + "@" + name);
  const hid_t attr = H5Aopen_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  if (attr < 0) return damaged("attribute " + object + "@" + name);
  return static_cast<std::int64_t>(attr);
}

Result<std::string> H5File::read_string_attribute(const std::string& object,
                                                  const std::string& name) const {
  auto opened = open_attribute(object, name);
  if (!opened.is_ok()) return opened.status();
  Handle attr(opened.value(), H5Aclose);
  auto text = get_string(attr.get());
  if (!text.is_ok()) return Status::corrupt(path_ + ": attribute " + object + "@" + name + ": " +
                                            text.status().message());
  return text;
}

Result<std::int64_t> H5File::read_int_attribute(const std::string& object,
                                                const std::string& name) const {
  auto opened = open_attribute(object, name);
  if (!opened.is_ok()) return opened.status();
  Handle attr(opened.value(), H5Aclose);
  std::int64_t value = 0;
  if (H5Aread(attr.get(), H5T_NATIVE_INT64, &value) < 0) {
    return Status::corrupt(path_ + ": attribute " + object + "@" + name + " is not an integer");
  }
  return value;
}

Result<double> H5File::read_double_attribute(const std::string& object, const std::string& name) const {
  auto opened = open_attribute(object, name);
  if (!opened.is_ok()) return opened.status();
  Handle attr(opened.value(), H5Aclose);
  double value = 0;
  if (H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &value) < 0) {
    return Status::corrupt(path_ + ": attribute " + object + "@" + name + " is not a number");
  }
  return value;
}

Result<std::vector<std::pair<std::string, std::string>>> H5File::attributes(
    const std::string& object) const {
  auto found = find(object);
  if (!found.is_ok()) return found.status();
  if (!found.value()) return Status::not_found(path_ + ": no object " + object);
  Handle obj(H5Oopen(id_, object.c_str(), H5P_DEFAULT), H5Oclose);
  if (!obj.ok()) return damaged("object " + object);
  std::vector<std::pair<std::string, std::string>> out;
  H5O_info_t info;
  if (H5Oget_info2(obj.get(), &info, H5O_INFO_NUM_ATTRS) < 0) return damaged("the attributes of " + object);
  for (hsize_t i = 0; i < info.num_attrs; ++i) {
    Handle attr(H5Aopen_by_idx(obj.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, H5P_DEFAULT,
                               H5P_DEFAULT),
                H5Aclose);
    if (!attr.ok()) return damaged("the attributes of " + object);
    char name[256] = {0};
    H5Aget_name(attr.get(), sizeof name, name);
    out.emplace_back(name, attribute_text(attr.get()));
  }
  return out;
}

}  // namespace sourcetrace::store
