// Engine stamp: which engine wrote a file, down to the build.
//
// Every file sourcetrace writes carries its version ("sourcetrace 0.1.0")
// and a build digest: the digest of the executable that ran. A version
// string alone does not change when the code does between releases, so
// `sourcetrace run`, which skips a stage whose output is already current,
// compares the build digest: a rebuilt engine reruns every stage.
#pragma once

#include <string>

#include "sourcetrace/status.hpp"
#include "sourcetrace/store/h5_file.hpp"

namespace sourcetrace::store {

// "sourcetrace <version>".
std::string engine_name();

// Digest (32 hex digits) of the running executable, computed once;
// "unknown" where it cannot be read.
const std::string& engine_build();

// Writes the root attributes `engine` and `engine_build`.
Status stamp_engine(H5File& file);

// The `engine_build` root attribute of any sourcetrace HDF5 file.
Result<std::string> read_engine_build(const std::string& path);

}  // namespace sourcetrace::store
