#include "core/engine/checkpoint_state.h"

#include <cstdio>
#include <cstring>

#include "core/modeling/weights/safetensors.h"
#include "core/util/error.h"

namespace counterscope::engine {
namespace {

constexpr const char* kFormatKey = "format";
constexpr const char* kFormat = "counterscope-checkpoint";
constexpr const char* kVersionKey = "version";
constexpr const char* kVersion = "1";
constexpr const char* kChecksumKey = "checksum";

/// FNV-1a with 64-bit words as its units: each step (h ^ w) * prime is a bijection of h for a fixed w, so a
/// word that differs leaves a different state, and the steps after it cannot bring the states together again.
class WordHash {
 public:
  void bytes(const void* data, std::size_t count) {
    const auto* p = static_cast<const unsigned char*>(data);
    std::size_t i = 0;
    for (; i + 8 <= count; i += 8) {
      std::uint64_t word;
      std::memcpy(&word, p + i, 8);  // little-endian on every platform Counterscope builds for
      mix(word);
    }
    std::uint64_t tail = 0;
    for (std::size_t k = 0; i + k < count; ++k) tail |= std::uint64_t{p[i + k]} << (8 * k);
    mix(tail);
    mix(count);  // tails of different lengths that pad to the same word stay apart
  }
  void text(const std::string& value) { bytes(value.data(), value.size()); }
  void mix(std::uint64_t word) { m_state = (m_state ^ word) * 0x100000001b3ULL; }
  std::uint64_t value() const { return m_state; }

 private:
  std::uint64_t m_state = 0xcbf29ce484222325ULL;
};

std::string to_hex(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

CheckpointState from_contents(modeling::SafetensorsContents contents, const std::string& source) {
  const auto& metadata = contents.metadata;
  const auto format = metadata.find(kFormatKey);
  if (format == metadata.end() || format->second != kFormat)
    throw InputError(source, "__metadata__.format", format == metadata.end() ? "" : quote_for_message(format->second),
                     "not a Counterscope checkpoint (a safetensors file without format \"counterscope-checkpoint\")");
  const auto version = metadata.find(kVersionKey);
  if (version == metadata.end() || version->second != kVersion)
    throw InputError(source, "__metadata__.version", version == metadata.end() ? "" : quote_for_message(version->second),
                     std::string("this build reads checkpoint version ") + kVersion + " only");
  const auto stored = metadata.find(kChecksumKey);
  if (stored == metadata.end()) throw InputError(source, "__metadata__.checksum", "", "missing");
  const std::string computed = to_hex(checkpoint_checksum(contents.tensors, metadata));
  if (stored->second != computed)
    throw InputError(source, "__metadata__.checksum", quote_for_message(stored->second),
                     "does not match the contents (" + computed + "): the file is damaged");
  CheckpointState state(source);
  for (const auto& entry : contents.tensors) state.put(entry.name, entry.tensor);
  for (const auto& [key, value] : metadata)
    if (key != kChecksumKey) state.set_metadata(key, value);
  return state;
}

}  // namespace

void CheckpointState::put(std::string name, torch::Tensor tensor) { m_tensors.insert(std::move(name), std::move(tensor)); }

const torch::Tensor& CheckpointState::get(const std::string& name) const {
  const torch::Tensor* tensor = m_tensors.find(name);
  if (tensor == nullptr) throw InputError(m_source, name, "", "missing from the checkpoint");
  return *tensor;
}

std::vector<std::string> CheckpointState::names_with_prefix(const std::string& prefix) const {
  std::vector<std::string> names;
  for (const auto& entry : m_tensors)
    if (entry.name.compare(0, prefix.size(), prefix) == 0) names.push_back(entry.name);
  return names;
}

std::optional<std::string> CheckpointState::metadata(const std::string& key) const {
  const auto found = m_metadata.find(key);
  if (found == m_metadata.end()) return std::nullopt;
  return found->second;
}

CheckpointState CheckpointState::deep_copy() const {
  CheckpointState copy(m_source);
  for (const auto& entry : m_tensors) copy.put(entry.name, entry.tensor.detach().clone());
  copy.m_metadata = m_metadata;
  return copy;
}

std::uint64_t checkpoint_checksum(const modeling::StateDict& tensors,
                                  const std::map<std::string, std::string>& metadata) {
  WordHash hash;
  for (const auto& entry : tensors) {
    const at::Tensor tensor = entry.tensor.is_contiguous() ? entry.tensor : entry.tensor.contiguous();
    hash.text(entry.name);
    hash.text(c10::toString(tensor.scalar_type()));
    hash.mix(static_cast<std::uint64_t>(tensor.dim()));
    for (const auto size : tensor.sizes()) hash.mix(static_cast<std::uint64_t>(size));
    hash.bytes(tensor.data_ptr(), tensor.nbytes());
  }
  for (const auto& [key, value] : metadata) {
    if (key == kChecksumKey) continue;
    hash.text(key);
    hash.text(value);
  }
  return hash.value();
}

void write_checkpoint_file(const CheckpointState& state, const std::string& path) {
  modeling::StateDict on_cpu;
  for (const auto& entry : state.tensors()) on_cpu.insert(entry.name, entry.tensor.detach().to(torch::kCPU).contiguous());
  std::map<std::string, std::string> metadata = state.all_metadata();
  metadata[kFormatKey] = kFormat;
  metadata[kVersionKey] = kVersion;
  metadata.erase(kChecksumKey);
  metadata[kChecksumKey] = to_hex(checkpoint_checksum(on_cpu, metadata));
  modeling::save_safetensors(on_cpu, path, metadata);
}

CheckpointState read_checkpoint_file(const std::string& path) {
  return from_contents(modeling::read_safetensors(path), path);
}

CheckpointState parse_checkpoint(std::string_view bytes, const std::string& source) {
  return from_contents(modeling::parse_safetensors(bytes, source), source);
}

}  // namespace counterscope::engine
