#pragma once
// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N, N bytes of JSON
// ({"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ..., "__metadata__": {str: str}}),
// then the raw little-endian tensor data, offsets relative to the end of the header.

#include <map>
#include <string>
#include <string_view>

#include "core/modeling/weights/state_dict.h"

namespace counterscope::modeling {

/// A safetensors file's tensors (in data order) and its free-form string metadata.
struct SafetensorsContents {
  StateDict tensors;
  std::map<std::string, std::string> metadata;
};

/// Reads a .safetensors file (F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL). Throws InputError naming the
/// file and the field (tensor name, "header" ...) on a truncated file, a bad header or bad offsets.
SafetensorsContents read_safetensors(const std::string& path);
/// The same from bytes in memory; `source` names them in messages (as `path` does above).
SafetensorsContents parse_safetensors(std::string_view bytes, const std::string& source);

/// Writes `state` (converted to contiguous CPU tensors) as a .safetensors file, tensors in state-dict order,
/// with `metadata` under "__metadata__". Atomic: temp file + rename. Throws counterscope::Error on a dtype
/// the format lacks (complex) or a tensor named "__metadata__".
void save_safetensors(const StateDict& state, const std::string& path,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace counterscope::modeling
