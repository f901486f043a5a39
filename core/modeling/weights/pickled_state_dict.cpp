#include "core/modeling/weights/pickled_state_dict.h"

#include <ATen/ATen.h>

#include "core/util/error.h"

namespace counterscope::modeling {
namespace {

bool all_values_are_tensors(const PickleValue& dict) {
  for (const auto& entry : dict.entries) {
    if (!entry.second->is(PickleKind::tensor)) return false;
  }
  return true;
}

std::string list_keys(const PickleValue& dict) {
  std::string keys;
  std::size_t shown = 0;
  for (const auto& entry : dict.entries) {
    if (shown == 12) {
      keys += ", ...";
      break;
    }
    if (!keys.empty()) keys += ", ";
    keys += entry.first->is(PickleKind::string) ? quote_for_message(entry.first->text) : entry.first->describe();
    ++shown;
  }
  return "[" + keys + "]";
}

const PickleValue* find_nested(const PickleValue& dict, int depth, std::string& path) {
  if (all_values_are_tensors(dict)) return &dict;
  if (depth == 0) return nullptr;
  for (const auto& key : nested_state_dict_keys()) {
    PickleValuePtr child = dict.find(key);
    if (!child || !child->is(PickleKind::dict)) continue;
    std::string child_path;
    if (const PickleValue* found = find_nested(*child, depth - 1, child_path)) {
      path = child_path.empty() ? key : key + "." + child_path;
      return found;
    }
  }
  return nullptr;
}

}  // namespace

const std::vector<std::string>& nested_state_dict_keys() {
  static const std::vector<std::string> keys = {"state_dict", "model", "model_state_dict", "module"};
  return keys;
}

const PickleValue& select_state_dict(const PickleValue& root, const std::string& file, const std::string& entry,
                                     std::string& path) {
  if (!root.is(PickleKind::dict)) {
    throw InputError(file, "pickle", root.describe(), "the checkpoint holds no dict of tensors");
  }
  if (!entry.empty()) {
    PickleValuePtr chosen = root.find(entry);
    if (!chosen) throw InputError(file, entry, "", "no such key; the checkpoint's keys are " + list_keys(root));
    if (!chosen->is(PickleKind::dict)) throw InputError(file, entry, chosen->describe(), "not a dict of tensors");
    path = entry;
    return *chosen;
  }
  path.clear();
  if (const PickleValue* found = find_nested(root, 3, path)) return *found;
  throw InputError(file, "state dict", "",
                   "none found: the top-level dict is not a dict of tensors and has no dict of tensors under "
                   "\"state_dict\", \"model\", \"model_state_dict\" or \"module\"; its keys are " + list_keys(root));
}

at::Tensor rebuild_tensor(const TensorRef& ref, const at::Tensor& flat_storage, const std::string& file,
                          const std::string& name) {
  const auto fail = [&](const std::string& problem) -> at::Tensor { throw InputError(file, name, "", problem); };
  const c10::ScalarType dtype = ref.storage->dtype;
  for (std::size_t d = 0; d < ref.size.size(); ++d) {
    if (ref.size[d] < 0 || ref.stride[d] < 0) {
      return fail("size " + std::to_string(ref.size[d]) + " / stride " + std::to_string(ref.stride[d]) +
                  " of dimension " + std::to_string(d) + " is negative");
    }
  }
  if (ref.storage_offset < 0) return fail("negative storage offset " + std::to_string(ref.storage_offset));
  __int128 numel = 1;
  __int128 last = ref.storage_offset;  // element index of the tensor's last element inside the storage (view)
  for (std::size_t d = 0; d < ref.size.size(); ++d) {
    numel *= ref.size[d];
    if (numel > (static_cast<__int128>(1) << 62)) return fail("the tensor is impossibly large");
    if (ref.size[d] > 0) last += static_cast<__int128>(ref.size[d] - 1) * ref.stride[d];
  }
  if (numel == 0) return at::empty(ref.size, at::TensorOptions().dtype(dtype));
  if (last >= ref.storage->numel) {
    return fail("the tensor (offset " + std::to_string(ref.storage_offset) + ") reaches element " +
                std::to_string(static_cast<long long>(last)) + " of a storage of " +
                std::to_string(ref.storage->numel) + " elements");
  }
  if (flat_storage.scalar_type() != dtype ||
      flat_storage.numel() < ref.storage->view_offset + ref.storage->numel) {
    return fail("its storage " + quote_for_message(ref.storage->key) + " holds fewer elements than declared");
  }
  return flat_storage.as_strided(ref.size, ref.stride, ref.storage->view_offset + ref.storage_offset);
}

StateDict rebuild_state_dict(const PickleValue& dict, const std::string& file, const std::string& path,
                             const StorageProvider& storages) {
  StateDict state;
  const std::string prefix = path.empty() ? std::string() : path + ".";
  for (const auto& [key, value] : dict.entries) {
    if (!key->is(PickleKind::string)) {
      throw InputError(file, prefix + "<key>", key->describe(), "state dict keys must be strings");
    }
    if (!value->is(PickleKind::tensor)) {
      throw InputError(file, prefix + key->text, value->describe(), "not a tensor");
    }
    const TensorRef& ref = *value->tensor;
    at::Tensor tensor = rebuild_tensor(ref, storages(*ref.storage), file, prefix + key->text);
    state.insert(key->text, std::move(tensor));
  }
  return state;
}

}  // namespace counterscope::modeling
