#pragma once
// Writing a checkpoint so that readers never see half a file: write a temporary file beside the target, then
// rename it over the target (atomic on POSIX file systems within one folder).

#include <functional>
#include <ostream>
#include <string>

namespace counterscope::modeling {

/// Calls `write` with a binary stream to a temporary file in `path`'s folder, then renames it to `path`.
/// On any failure the temporary file is removed, `path` is left as it was, and InputError(path, ...) is thrown.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace counterscope::modeling
