#include "core/modeling/weights/safetensors.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <string_view>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace counterscope::modeling {
namespace {

constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;  // the reference implementation's limit

struct DtypeName {
  const char* name;
  c10::ScalarType dtype;
};

const std::vector<DtypeName>& dtype_names() {
  static const std::vector<DtypeName> names = {
      {"F64", c10::kDouble}, {"F32", c10::kFloat}, {"F16", c10::kHalf}, {"BF16", c10::kBFloat16},
      {"I64", c10::kLong},   {"I32", c10::kInt},   {"I16", c10::kShort}, {"I8", c10::kChar},
      {"U8", c10::kByte},    {"BOOL", c10::kBool},
  };
  return names;
}

std::uint64_t read_u64_le(const unsigned char* bytes) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | bytes[i];
  return value;
}

struct HeaderEntry {
  std::string name;
  c10::ScalarType dtype;
  std::vector<std::int64_t> shape;
  std::uint64_t begin;
  std::uint64_t end;
};

HeaderEntry parse_entry(const std::string& path, const std::string& name, const nlohmann::json& info,
                        std::uint64_t data_size) {
  const auto fail = [&](const std::string& field, const std::string& value, const std::string& problem) {
    throw InputError(path, name + "." + field, value, problem);
  };
  if (!info.is_object()) throw InputError(path, name, info.dump(), "a tensor entry must be an object");
  HeaderEntry entry{name, c10::kFloat, {}, 0, 0};

  const auto dtype = info.find("dtype");
  if (dtype == info.end() || !dtype->is_string()) fail("dtype", "", "missing or not a string");
  const std::string dtype_name = dtype->get<std::string>();
  const auto& names = dtype_names();
  auto known = std::find_if(names.begin(), names.end(), [&](const DtypeName& d) { return dtype_name == d.name; });
  if (known == names.end()) fail("dtype", quote_for_message(dtype_name), "unsupported dtype");
  entry.dtype = known->dtype;

  const auto shape = info.find("shape");
  if (shape == info.end() || !shape->is_array()) fail("shape", "", "missing or not an array");
  unsigned __int128 numel = 1;
  for (const auto& dim : *shape) {
    if (!dim.is_number_unsigned() || dim.get<std::uint64_t>() > (std::uint64_t{1} << 62)) {
      fail("shape", shape->dump(), "dimensions must be non-negative integers below 2^62");
    }
    entry.shape.push_back(dim.get<std::int64_t>());
    numel *= dim.get<std::uint64_t>();
    if (numel > data_size) numel = static_cast<unsigned __int128>(data_size) + 1;  // caught below; avoids overflow
  }

  const auto offsets = info.find("data_offsets");
  if (offsets == info.end() || !offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
      !(*offsets)[1].is_number_unsigned()) {
    fail("data_offsets", offsets == info.end() ? "" : offsets->dump(), "must be [begin, end] of non-negative integers");
  }
  entry.begin = (*offsets)[0].get<std::uint64_t>();
  entry.end = (*offsets)[1].get<std::uint64_t>();
  if (entry.begin > entry.end || entry.end > data_size) {
    fail("data_offsets", offsets->dump(),
         "outside the " + std::to_string(data_size) + " bytes of data that follow the header (a truncated file?)");
  }
  const unsigned __int128 expected = numel * c10::elementSize(entry.dtype);
  if (expected != entry.end - entry.begin) {
    fail("data_offsets", offsets->dump(),
         "span " + std::to_string(entry.end - entry.begin) + " bytes but shape " + shape->dump() + " of " +
             dtype_name + " needs " + std::to_string(static_cast<unsigned long long>(expected)));
  }
  return entry;
}

/// Random access to the bytes of a file or of a buffer in memory, so both share one parser.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual std::uint64_t size() const = 0;
  /// Copies `count` bytes at `offset` to `out`; false when they are not all there.
  virtual bool read(std::uint64_t offset, std::uint64_t count, void* out) = 0;
};

class FileSource : public ByteSource {
 public:
  explicit FileSource(const std::string& path) : m_in(path, std::ios::binary) {
    if (!m_in) throw InputError(path, "", "", "cannot open the file");
    m_in.seekg(0, std::ios::end);
    m_size = static_cast<std::uint64_t>(m_in.tellg());
  }
  std::uint64_t size() const override { return m_size; }
  bool read(std::uint64_t offset, std::uint64_t count, void* out) override {
    if (offset > m_size || count > m_size - offset) return false;
    m_in.clear();
    m_in.seekg(static_cast<std::streamoff>(offset));
    return static_cast<bool>(m_in.read(static_cast<char*>(out), static_cast<std::streamsize>(count)));
  }

 private:
  std::ifstream m_in;
  std::uint64_t m_size = 0;
};

class MemorySource : public ByteSource {
 public:
  explicit MemorySource(std::string_view bytes) : m_bytes(bytes) {}
  std::uint64_t size() const override { return m_bytes.size(); }
  bool read(std::uint64_t offset, std::uint64_t count, void* out) override {
    if (offset > m_bytes.size() || count > m_bytes.size() - offset) return false;
    if (count > 0) std::memcpy(out, m_bytes.data() + offset, count);
    return true;
  }

 private:
  std::string_view m_bytes;
};

SafetensorsContents read_contents(ByteSource& source, const std::string& path) {
  const std::uint64_t file_size = source.size();
  unsigned char length_bytes[8];
  if (file_size < 8 || !source.read(0, 8, length_bytes)) {
    throw InputError(path, "header length", "", "the file is shorter than 8 bytes");
  }
  const std::uint64_t header_size = read_u64_le(length_bytes);
  if (header_size > kMaxHeaderBytes || header_size > file_size - 8) {
    throw InputError(path, "header length", std::to_string(header_size),
                     "larger than the file (" + std::to_string(file_size) + " bytes) or than 100 MB");
  }
  std::string header_text(header_size, '\0');
  if (!source.read(8, header_size, header_text.data())) {
    throw InputError(path, "header", "", "the file ends inside the header");
  }
  // nlohmann's parser stops at a NUL byte as at the end of a C string; JSON text never holds one raw.
  if (const auto nul = header_text.find('\0'); nul != std::string::npos)
    throw InputError(path, "header", "byte " + std::to_string(8 + nul), "a NUL byte inside the JSON header");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(header_text);
  } catch (const nlohmann::json::exception& error) {
    throw InputError(path, "header", "", std::string("not valid JSON (") + error.what() + ")");
  }
  if (!header.is_object()) throw InputError(path, "header", "", "not a JSON object");

  const std::uint64_t data_size = file_size - 8 - header_size;
  SafetensorsContents contents;
  std::vector<HeaderEntry> entries;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") {
      if (!info.is_object()) throw InputError(path, "__metadata__", info.dump(), "must be an object of strings");
      for (const auto& [key, value] : info.items()) {
        if (!value.is_string()) throw InputError(path, "__metadata__." + key, value.dump(), "must be a string");
        contents.metadata[key] = value.get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(path, name, info, data_size));
  }

  // The file's data order is the writer's order (for ours, the state dict's order); it also makes overlaps
  // easy to find.
  std::sort(entries.begin(), entries.end(), [](const HeaderEntry& a, const HeaderEntry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  for (std::size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].begin < entries[i - 1].end) {
      throw InputError(path, entries[i].name + ".data_offsets", "[" + std::to_string(entries[i].begin) + ", " +
                           std::to_string(entries[i].end) + "]",
                       "overlaps the data of " + quote_for_message(entries[i - 1].name));
    }
  }

  const std::uint64_t data_start = 8 + header_size;
  for (const auto& entry : entries) {
    at::Tensor tensor = at::empty(entry.shape, at::TensorOptions().dtype(entry.dtype));
    const std::uint64_t nbytes = entry.end - entry.begin;
    if (nbytes > 0 && !source.read(data_start + entry.begin, nbytes, tensor.data_ptr())) {
      throw InputError(path, entry.name, "", "the file ends inside this tensor's data");
    }
    contents.tensors.insert(entry.name, std::move(tensor));
  }
  return contents;
}

}  // namespace

SafetensorsContents read_safetensors(const std::string& path) {
  FileSource source(path);
  return read_contents(source, path);
}

SafetensorsContents parse_safetensors(std::string_view bytes, const std::string& source_name) {
  MemorySource source(bytes);
  return read_contents(source, source_name);
}

void save_safetensors(const StateDict& state, const std::string& path,
                      const std::map<std::string, std::string>& metadata) {
  std::vector<at::Tensor> tensors;
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::uint64_t offset = 0;
  for (const auto& entry : state) {
    if (entry.name == "__metadata__") throw Error(path + ": a tensor may not be named \"__metadata__\"");
    at::Tensor tensor = entry.tensor.detach().to(at::kCPU).contiguous();
    const auto& names = dtype_names();
    auto known = std::find_if(names.begin(), names.end(),
                              [&](const DtypeName& d) { return d.dtype == tensor.scalar_type(); });
    if (known == names.end()) {
      throw Error(path + ": tensor " + quote_for_message(entry.name) + " has dtype " +
                  std::string(c10::toString(tensor.scalar_type())) + ", which safetensors cannot store");
    }
    const std::uint64_t nbytes = tensor.nbytes();
    header[entry.name] = {{"dtype", known->name}, {"shape", tensor.sizes().vec()}, {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
    tensors.push_back(std::move(tensor));
  }
  std::string header_text = header.dump();
  // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
  header_text.append((8 - header_text.size() % 8) % 8, ' ');

  write_file_atomically(path, [&](std::ostream& out) {
    unsigned char length_bytes[8];
    std::uint64_t length = header_text.size();
    for (unsigned char& byte : length_bytes) {
      byte = static_cast<unsigned char>(length & 0xff);
      length >>= 8;
    }
    out.write(reinterpret_cast<const char*>(length_bytes), 8);
    out.write(header_text.data(), static_cast<std::streamsize>(header_text.size()));
    for (const auto& tensor : tensors) {
      out.write(static_cast<const char*>(tensor.data_ptr()), static_cast<std::streamsize>(tensor.nbytes()));
    }
  });
}

}  // namespace counterscope::modeling
