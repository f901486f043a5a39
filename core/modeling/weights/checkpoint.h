#pragma once
// One entry point for model weights: load_state_dict(path) recognises the file by its content, not its name —
// a torch.save zip, a legacy torch.save file or a .safetensors file — and returns its state dict.

#include <string>

#include "core/modeling/weights/state_dict.h"

namespace counterscope::modeling {

enum class CheckpointFormat {
  torch_zip,     ///< torch.save since torch 1.6 (a zip holding data.pkl)
  torch_legacy,  ///< torch.save before 1.6, or with _use_new_zipfile_serialization=False
  safetensors,
};

const char* to_string(CheckpointFormat format);

/// Options of load_state_dict.
struct LoadStateDictOptions {
  /// Key of the state dict inside a torch.save checkpoint that holds more than one (e.g. "model" or "ema");
  /// empty: the top level if it is a dict of tensors, else "state_dict", "model", "model_state_dict", "module".
  std::string entry;
};

/// The format of the file at `path`, from its first bytes. Throws InputError when it is none of them
/// (a JPEG renamed .pth, an empty file, ...).
CheckpointFormat detect_checkpoint_format(const std::string& path);

/// Reads the state dict of a checkpoint in any supported format. Throws InputError naming the file and the
/// field at fault; never runs code from the file.
StateDict load_state_dict(const std::string& path, const LoadStateDictOptions& options = {});

}  // namespace counterscope::modeling
