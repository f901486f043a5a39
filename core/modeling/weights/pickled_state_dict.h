#pragma once
// From an unpickled torch.save object to a StateDict: find the state dict inside the checkpoint (a bare
// state dict, or one nested under "model" / "state_dict" as detectron2, mmdetection and Lightning save it),
// then build each tensor from its storage, honouring offsets, sizes and strides.

#include <functional>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "core/modeling/weights/pickle_value.h"
#include "core/modeling/weights/state_dict.h"

namespace counterscope::modeling {

/// Keys under which checkpoints nest their state dict, tried in this order when the top level is not one.
const std::vector<std::string>& nested_state_dict_keys();

/// The state dict inside `root`: `entry` (a key of the top-level dict) when given, else the top-level dict
/// when all its values are tensors, else the first of nested_state_dict_keys() that holds one (searched to a
/// depth of 3). `path` receives where it was found ("" for the top level, "model", "state_dict.model" ...).
/// Throws InputError naming `file` and the keys that were there when nothing fits.
const PickleValue& select_state_dict(const PickleValue& root, const std::string& file, const std::string& entry,
                                     std::string& path);

/// Gives the flat data of a root storage: a 1-D contiguous CPU tensor of the storage's dtype with at least
/// `numel` elements, starting at the storage's first element.
using StorageProvider = std::function<at::Tensor(const StorageRef& storage)>;

/// Builds the state dict's tensors (plain tensors; requires_grad is not kept). Tensors that were views of one
/// storage in the file share memory after loading, as with Python's torch.load.
StateDict rebuild_state_dict(const PickleValue& dict, const std::string& file, const std::string& path,
                             const StorageProvider& storages);

/// One tensor from its storage's flat data; throws InputError when the view lies outside the storage.
at::Tensor rebuild_tensor(const TensorRef& ref, const at::Tensor& flat_storage, const std::string& file,
                          const std::string& name);

}  // namespace counterscope::modeling
