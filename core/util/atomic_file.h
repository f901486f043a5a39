#pragma once
// Writes a file atomically: the content goes to a temporary file beside the target, which replaces the
// target by rename() only once it is complete and flushed, so no reader ever sees a half-written file and
// a failed write leaves the previous file intact.

#include <fstream>
#include <functional>
#include <string>

namespace counterscope {

class AtomicFileWriter {
 public:
  /// Opens a temporary file in the folder of `path`. Throws InputError (naming `path`) when it cannot be created.
  explicit AtomicFileWriter(std::string path);
  /// Removes the temporary file unless commit() succeeded.
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  std::ostream& stream() { return m_stream; }
  /// Flushes, syncs and renames the temporary file onto the target. Throws InputError naming the file on any I/O failure.
  void commit();

 private:
  std::string m_path;
  std::string m_temporary_path;
  std::ofstream m_stream;
  bool m_committed = false;
};

/// Writes a whole file through AtomicFileWriter: `write` fills the stream, then it is committed.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace counterscope
