#include "core/modeling/weights/atomic_file.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <system_error>

#include "core/util/error.h"

namespace counterscope::modeling {
namespace {

std::string temporary_name(const std::string& path) {
  std::random_device device;
  std::uniform_int_distribution<unsigned long long> digits;
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, ".partial-%012llx", digits(device) & 0xffffffffffffULL);
  return path + suffix;
}

}  // namespace

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  namespace fs = std::filesystem;
  const std::string temporary = temporary_name(path);
  const auto discard = [&] {
    std::error_code ignored;
    fs::remove(temporary, ignored);
  };
  try {
    {
      std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
      if (!out) throw InputError(path, "", "", "cannot create " + quote_for_message(temporary) + " for writing");
      write(out);
      out.flush();
      if (!out) throw InputError(path, "", "", "writing failed (disk full?)");
    }
    std::error_code error;
    fs::rename(temporary, path, error);
    if (error) throw InputError(path, "", "", "cannot rename the written file into place: " + error.message());
  } catch (...) {
    discard();
    throw;
  }
}

}  // namespace counterscope::modeling
