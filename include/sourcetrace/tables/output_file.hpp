// OutputFile: a file written atomically, optionally gzip-compressed.
//
// Bytes go to a temporary file beside the final path; publish() flushes,
// fsyncs and renames it into place, so a reader (or a rerun after kill -9)
// sees either the previous complete file or the new complete file, never a
// half-written one. An OutputFile destroyed without publish() removes its
// temporary file. Not thread-safe: one writer per file.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "sourcetrace/status.hpp"

namespace sourcetrace::tables {

// The temporary name used for `final_path` while it is being written:
// ".<name>.tmp-<pid>" in the same folder, so that rename() stays atomic.
std::string temporary_path_for(const std::string& final_path);

// Moves a finished temporary file to its final name (fsync of file and
// folder included). Used by OutputFile and by writers of other formats
// (HDF5) that must create the temporary file themselves.
Status publish_file(const std::string& temp_path, const std::string& final_path);

// Removes the temporary files of `final_path` whose writer was killed (the
// process named in the name no longer exists), so that reruns after kill -9
// leave no debris. publish_file calls it after each successful rename.
void remove_abandoned_temporaries(const std::string& final_path);

class OutputFile {
 public:
  enum class Compression { kNone, kGzip };

  // Opens the temporary file. A path ending in ".gz" does not imply gzip:
  // the caller says what it wants.
  static Result<std::unique_ptr<OutputFile>> create(const std::string& final_path,
                                                    Compression compression = Compression::kNone,
                                                    int gzip_level = 6);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  Status write(std::string_view bytes);
  // REQUIRES: called once; nothing written after.
  Status publish();

  const std::string& path() const { return final_path_; }

 private:
  OutputFile(std::string final_path, std::string temp_path, std::FILE* file,
             Compression compression);
  Status write_raw(const void* data, std::size_t size);

  std::string final_path_;
  std::string temp_path_;
  std::FILE* file_ = nullptr;
  Compression compression_;
  struct Deflater;
  std::unique_ptr<Deflater> deflater_;
  bool published_ = false;
};

}  // namespace sourcetrace::tables
