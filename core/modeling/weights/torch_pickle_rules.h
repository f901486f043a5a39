#pragma once
// The allow-list of what a torch.save pickle may contain: OrderedDict, tensors rebuilt from storages
// (_rebuild_tensor_v2, _rebuild_parameter ...), the typed storage classes named in persistent ids, torch.Size,
// and bytes encoded by Python 3's protocol 2. Any other global is refused, so loading never runs code.

#include <map>
#include <memory>
#include <string>

#include "core/modeling/weights/restricted_unpickler.h"

namespace counterscope::modeling {

/// The dtype of a storage class name ("FloatStorage" -> kFloat); false when the name is not a known storage.
bool storage_dtype_from_name(const std::string& name, c10::ScalarType& dtype);

/// UnpicklerRules for torch.save pickles (zip and legacy formats). Storages with the same key share one
/// StorageRef, so tensors that are views of one storage stay views after loading.
class TorchUnpicklerRules : public UnpicklerRules {
 public:
  PickleValuePtr find_global(const std::string& module, const std::string& name) override;
  PickleValuePtr call(const PickleValue& callable, const PickleValue& args) override;
  void build(PickleValue& object, const PickleValuePtr& state) override;
  PickleValuePtr persistent_load(const PickleValue& pid) override;

  /// Every storage the pickle referred to, by key.
  const std::map<std::string, std::shared_ptr<StorageRef>>& storages() const { return m_storages; }

 private:
  std::map<std::string, std::shared_ptr<StorageRef>> m_storages;
};

}  // namespace counterscope::modeling
