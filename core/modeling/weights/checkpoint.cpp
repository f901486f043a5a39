#include "core/modeling/weights/checkpoint.h"

#include <filesystem>
#include <fstream>

#include "core/modeling/weights/safetensors.h"
#include "core/modeling/weights/torch_checkpoint.h"
#include "core/util/error.h"

namespace counterscope::modeling {

const char* to_string(CheckpointFormat format) {
  switch (format) {
    case CheckpointFormat::torch_zip: return "torch.save (zip)";
    case CheckpointFormat::torch_legacy: return "torch.save (legacy)";
    case CheckpointFormat::safetensors: return "safetensors";
  }
  return "unknown";
}

CheckpointFormat detect_checkpoint_format(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) throw InputError(path, "", "", "no such file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "", "cannot open the file");
  unsigned char head[16] = {};
  in.read(reinterpret_cast<char*>(head), sizeof head);
  const std::streamsize got = in.gcount();

  if (got >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return CheckpointFormat::torch_zip;
  // A legacy file starts with the pickled magic number: PROTO 2, LONG1 of 10 bytes.
  if (got >= 4 && head[0] == 0x80 && head[1] <= 4 && head[2] == 0x8a && head[3] == 10) {
    return CheckpointFormat::torch_legacy;
  }
  // safetensors: an 8-byte header length, then the JSON header's "{".
  if (got >= 9 && head[8] == '{') {
    std::uint64_t header_size = 0;
    for (int i = 7; i >= 0; --i) header_size = (header_size << 8) | head[i];
    if (header_size >= 2 && header_size <= std::filesystem::file_size(path, error)) return CheckpointFormat::safetensors;
  }
  throw InputError(path, "file header", got == 0 ? "empty file" : "",
                   "not a checkpoint: neither a torch.save file (zip or legacy) nor a .safetensors file");
}

StateDict load_state_dict(const std::string& path, const LoadStateDictOptions& options) {
  switch (detect_checkpoint_format(path)) {
    case CheckpointFormat::torch_zip: return load_torch_zip_checkpoint(path, options.entry);
    case CheckpointFormat::torch_legacy: return load_torch_legacy_checkpoint(path, options.entry);
    case CheckpointFormat::safetensors:
      if (!options.entry.empty()) {
        throw InputError(path, "entry", quote_for_message(options.entry),
                         "a safetensors file holds one flat state dict; it has no nested entries");
      }
      return read_safetensors(path).tensors;
  }
  throw InputError(path, "", "", "unknown checkpoint format");
}

}  // namespace counterscope::modeling
