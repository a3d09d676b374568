// H5File: an HDF5 file seen as a tree of typed 1-D arrays and attributes.
//
// The engine's files (graph.h5 and the stage files) are plain HDF5 that h5py and h5dump
// read: groups, one-dimensional datasets of numbers or bytes, and scalar
// attributes. This class is the only code that calls the HDF5 C API outside
// the MPI-IO paths; every call returns a Status naming the file and object,
// and HDF5's own error printing is switched off. Datasets are chunked and
// compressed (shuffle + deflate level 1: fast, and integer arrays shrink
// well).
//
// Damage is an error, never a different answer (docs/integrity.md): files
// are written in HDF5's 1.10 format, whose superblock, object headers and
// chunk indexes carry checksums; every chunk carries a Fletcher-32
// checksum; attributes (fixed-length strings, numbers) and links sit in
// the checksummed object headers. A read that fails a checksum returns a
// corrupt Status naming the file and the object.
//
// Threading: the MPI build of HDF5 is not thread-safe. Never call this from
// inside an OpenMP parallel region. Move-only; closes the file on
// destruction.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sourcetrace/status.hpp"

namespace sourcetrace::store {

class H5File {
 public:
  // Creates (truncates) `path` for writing.
  static Result<H5File> create(const std::string& path);
  // Opens `path` read-only.
  static Result<H5File> open(const std::string& path);

  H5File(H5File&& other) noexcept : id_(std::exchange(other.id_, -1)), path_(std::move(other.path_)) {}
  H5File& operator=(H5File&& other) noexcept;
  H5File(const H5File&) = delete;
  H5File& operator=(const H5File&) = delete;
  ~H5File();

  // Flushes and closes; reports errors that the destructor would swallow.
  Status close();

  const std::string& path() const { return path_; }
  // False also when the groups on the way cannot be read; find() tells.
  bool exists(const std::string& object) const;
  // Whether `object` is there; corrupt when a group on the way is damaged.
  Result<bool> find(const std::string& object) const;
  // Creates a group and any missing parents.
  Status create_group(const std::string& group);
  // Names of the members of `group`, sorted.
  Result<std::vector<std::string>> list(const std::string& group) const;

  // Element types: uint8, int32, uint32, uint64, float, double.
  template <typename T>
  Status write_array(const std::string& dataset, std::span<const T> values);
  template <typename T>
  Status write_array(const std::string& dataset, const std::vector<T>& values) {
    return write_array(dataset, std::span<const T>(values));
  }
  template <typename T>
  Result<std::vector<T>> read_array(const std::string& dataset) const;
  // Elements in a dataset, without reading it.
  Result<std::uint64_t> array_size(const std::string& dataset) const;

  Status write_attribute(const std::string& object, const std::string& name, std::string_view value);
  Status write_attribute(const std::string& object, const std::string& name, std::int64_t value);
  Status write_attribute(const std::string& object, const std::string& name, double value);
  Result<std::string> read_string_attribute(const std::string& object, const std::string& name) const;
  Result<std::int64_t> read_int_attribute(const std::string& object, const std::string& name) const;
  Result<double> read_double_attribute(const std::string& object, const std::string& name) const;
  // Every attribute of `object`, its value rendered as text.
  Result<std::vector<std::pair<std::string, std::string>>> attributes(const std::string& object) const;

 private:
  H5File(std::int64_t id, std::string path) : id_(id), path_(std::move(path)) {}
  Status error(const std::string& what) const;
  // Corrupt: `what` cannot be read, the file is damaged.
  Status damaged(const std::string& what) const;
  // The attribute's hid_t, to close with H5Aclose.
  Result<std::int64_t> open_attribute(const std::string& object, const std::string& name) const;

  std::int64_t id_ = -1;  // hid_t
  std::string path_;
};

}  // namespace sourcetrace::store
