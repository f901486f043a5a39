#include "core/util/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/util/error.h"

namespace counterscope {
namespace {

std::string temporary_name_for(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
}

}  // namespace

AtomicFileWriter::AtomicFileWriter(std::string path)
    : m_path(std::move(path)), m_temporary_path(temporary_name_for(m_path)) {
  m_stream.open(m_temporary_path, std::ios::binary | std::ios::trunc);
  if (!m_stream) {
    throw InputError(m_path, "", "", "cannot write: cannot create " + m_temporary_path + " (" + std::strerror(errno) + ")");
  }
}

AtomicFileWriter::~AtomicFileWriter() {
  if (!m_committed) {
    m_stream.close();
    std::remove(m_temporary_path.c_str());
  }
}

void AtomicFileWriter::commit() {
  m_stream.flush();
  const bool written = static_cast<bool>(m_stream);
  m_stream.close();
  if (!written || m_stream.fail()) {
    throw InputError(m_path, "", "", "cannot write: writing " + m_temporary_path + " failed (disk full?)");
  }
  // Sync the data before the rename, so that a crash cannot leave an empty file under the final name.
  const int fd = ::open(m_temporary_path.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  if (std::rename(m_temporary_path.c_str(), m_path.c_str()) != 0) {
    throw InputError(m_path, "", "", "cannot write: rename from " + m_temporary_path + " failed (" +
                     std::strerror(errno) + ")");
  }
  m_committed = true;
}

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  AtomicFileWriter writer(path);
  write(writer.stream());
  writer.commit();
}

}  // namespace counterscope
