#pragma once
// A training checkpoint's contents and its file format. The tensors (model, optimiser, loss state, random
// generators, iteration) and a few strings are written as one .safetensors file (core/modeling/weights), so any
// LibTorch version — or Python's safetensors — reads it without TorchScript. The metadata holds
//   format = "counterscope-checkpoint", version = "1", trainer = the trainer's kind, iteration,
//   checksum = 16 hex digits over everything else (tensor names, dtypes, shapes, data and the other metadata),
// so that a truncated or bit-flipped file is refused before anything of it is loaded.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <torch/torch.h>

#include "core/modeling/weights/state_dict.h"

namespace counterscope::engine {

/// Named tensors and string metadata of one checkpoint; `source` (the file) names it in messages.
class CheckpointState {
 public:
  explicit CheckpointState(std::string source = "checkpoint") : m_source(std::move(source)) {}

  /// Adds a tensor (kept as it is: no copy). Throws counterscope::Error when `name` is already there.
  void put(std::string name, torch::Tensor tensor);
  /// The tensor called `name`; throws InputError naming the file and `name` when it is missing.
  const torch::Tensor& get(const std::string& name) const;
  const torch::Tensor* find(const std::string& name) const { return m_tensors.find(name); }
  /// Names that start with `prefix`, in file order.
  std::vector<std::string> names_with_prefix(const std::string& prefix) const;

  void set_metadata(const std::string& key, std::string value) { m_metadata[key] = std::move(value); }
  std::optional<std::string> metadata(const std::string& key) const;

  const std::string& source() const { return m_source; }
  const modeling::StateDict& tensors() const { return m_tensors; }
  const std::map<std::string, std::string>& all_metadata() const { return m_metadata; }

  /// A copy with every tensor cloned, independent of the live tensors a trainer put in.
  CheckpointState deep_copy() const;

 private:
  std::string m_source;
  modeling::StateDict m_tensors;
  std::map<std::string, std::string> m_metadata;
};

/// The checksum stored under "checksum": FNV-1a over 64-bit little-endian words of every tensor's name, dtype,
/// shape and data and of the metadata other than the checksum. Any change confined to one 64-bit word (every
/// single bit flip) changes it; other damage goes unnoticed with probability 2^-64.
std::uint64_t checkpoint_checksum(const modeling::StateDict& tensors, const std::map<std::string, std::string>& metadata);

/// Writes `state` to `path` atomically (temporary file + rename), tensors copied to the CPU, with the format
/// tags and the checksum added to its metadata. Throws counterscope::Error when the file cannot be written.
void write_checkpoint_file(const CheckpointState& state, const std::string& path);

/// Reads a checkpoint file (tensors on the CPU). Throws InputError naming the file and the field at fault: not
/// a safetensors file, truncated, not a Counterscope checkpoint, a newer format version, or a checksum that
/// does not match (a damaged file).
CheckpointState read_checkpoint_file(const std::string& path);
/// The same from bytes in memory; `source` names them in messages.
CheckpointState parse_checkpoint(std::string_view bytes, const std::string& source);

}  // namespace counterscope::engine
