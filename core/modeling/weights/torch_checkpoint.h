#pragma once
// torch.save checkpoints (.pth / .pt / .bin): the zip format (torch >= 1.6: <archive>/data.pkl,
// <archive>/data/<key>, <archive>/version) and the legacy format that older files use (a magic number,
// a protocol version, system info, the pickle, its storage keys, then the raw storages).
// Both are read with the restricted unpickler (see torch_pickle_rules.h): no code runs on load.

#include <string>

#include "core/modeling/weights/state_dict.h"

namespace counterscope::modeling {

/// Reads the state dict of a zip-format torch.save file. `entry`: the key of a nested state dict, or "" to
/// find it (see select_state_dict). Throws InputError naming the file and the field at fault.
StateDict load_torch_zip_checkpoint(const std::string& path, const std::string& entry = {});

/// Reads the state dict of a legacy (non-zip) torch.save file, e.g. torchvision's 2017-2019 model zoo files.
StateDict load_torch_legacy_checkpoint(const std::string& path, const std::string& entry = {});

/// Writes `state` as a zip-format torch.save file that Python's torch.load reads as a dict of tensors
/// (names in order; tensors saved contiguous, on the CPU, without autograd history). Atomic: temp + rename.
void save_pth(const StateDict& state, const std::string& path);

}  // namespace counterscope::modeling
