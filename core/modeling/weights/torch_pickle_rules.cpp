#include "core/modeling/weights/torch_pickle_rules.h"

#include <utility>
#include <vector>

#include "core/util/error.h"

namespace counterscope::modeling {
namespace {

const char* const kOrderedDict = "collections.OrderedDict";
const char* const kRebuildTensorV2 = "torch._utils._rebuild_tensor_v2";
const char* const kRebuildTensor = "torch._utils._rebuild_tensor";
const char* const kRebuildParameter = "torch._utils._rebuild_parameter";
const char* const kRebuildParameterWithState = "torch._utils._rebuild_parameter_with_state";
const char* const kTorchSize = "torch.Size";
const char* const kCodecsEncode = "_codecs.encode";
// LibTorch's torch::pickle_save (our save_pth) tags containers with their TorchScript type.
const char* const kRestoreTypeTag = "torch.jit._pickle.restore_type_tag";

std::int64_t expect_integer(const PickleValue& value, const std::string& what) {
  if (!value.is(PickleKind::integer)) throw PickleRefused(what + " must be an int, found " + value.describe());
  return value.integer;
}

std::vector<std::int64_t> expect_int_tuple(const PickleValue& value, const std::string& what) {
  if (!value.is(PickleKind::tuple) && !value.is(PickleKind::list)) {
    throw PickleRefused(what + " must be a tuple of ints, found " + value.describe());
  }
  std::vector<std::int64_t> numbers;
  for (const auto& item : value.items) numbers.push_back(expect_integer(*item, what));
  return numbers;
}

bool expect_bool(const PickleValue& value, const std::string& what) {
  if (value.is(PickleKind::boolean)) return value.boolean;
  if (value.is(PickleKind::integer)) return value.integer != 0;
  throw PickleRefused(what + " must be a bool, found " + value.describe());
}

PickleValuePtr make_tensor(const PickleValue& storage, const PickleValue& offset, const PickleValue& size,
                           const PickleValue& stride, bool requires_grad) {
  if (!storage.is(PickleKind::storage)) {
    throw PickleRefused("a tensor must be rebuilt from a storage, found " + storage.describe());
  }
  auto ref = std::make_shared<TensorRef>();
  ref->storage = storage.storage;
  ref->storage_offset = expect_integer(offset, "storage_offset");
  ref->size = expect_int_tuple(size, "size");
  ref->stride = expect_int_tuple(stride, "stride");
  ref->requires_grad = requires_grad;
  if (ref->size.size() != ref->stride.size()) {
    throw PickleRefused("a tensor with " + std::to_string(ref->size.size()) + " sizes but " +
                        std::to_string(ref->stride.size()) + " strides");
  }
  auto tensor = PickleValue::make(PickleKind::tensor);
  tensor->tensor = std::move(ref);
  return tensor;
}

}  // namespace

bool storage_dtype_from_name(const std::string& name, c10::ScalarType& dtype) {
  static const std::map<std::string, c10::ScalarType> kStorages = {
      {"FloatStorage", c10::kFloat},      {"DoubleStorage", c10::kDouble},
      {"HalfStorage", c10::kHalf},        {"BFloat16Storage", c10::kBFloat16},
      {"LongStorage", c10::kLong},        {"IntStorage", c10::kInt},
      {"ShortStorage", c10::kShort},      {"CharStorage", c10::kChar},
      {"ByteStorage", c10::kByte},        {"BoolStorage", c10::kBool},
      {"ComplexFloatStorage", c10::kComplexFloat}, {"ComplexDoubleStorage", c10::kComplexDouble},
  };
  auto it = kStorages.find(name);
  if (it == kStorages.end()) return false;
  dtype = it->second;
  return true;
}

PickleValuePtr TorchUnpicklerRules::find_global(const std::string& module, const std::string& name) {
  const std::string full = module + "." + name;
  c10::ScalarType dtype;
  const bool allowed = full == kOrderedDict || full == kRebuildTensorV2 || full == kRebuildTensor ||
                       full == kRebuildParameter || full == kRebuildParameterWithState || full == kTorchSize ||
                       full == kCodecsEncode || full == kRestoreTypeTag ||
                       // CUDA storages load on the CPU: the bytes are the same.
                       ((module == "torch" || module == "torch.cuda") && storage_dtype_from_name(name, dtype));
  if (!allowed) {
    throw PickleRefused("global " + quote_for_message(full) +
                        " is not allowed in a checkpoint (only state dicts of tensors are loaded; no code runs)");
  }
  auto global = PickleValue::make(PickleKind::global);
  global->text = full;
  return global;
}

PickleValuePtr TorchUnpicklerRules::call(const PickleValue& callable, const PickleValue& args) {
  if (!callable.is(PickleKind::global)) throw PickleRefused("REDUCE on a " + callable.describe() + ", not on a global");
  const std::string& name = callable.text;
  const auto& a = args.items;
  if (name == kOrderedDict) {
    auto dict = PickleValue::make(PickleKind::dict);
    if (a.size() == 1 && (a[0]->is(PickleKind::list) || a[0]->is(PickleKind::tuple))) {
      for (const auto& pair : a[0]->items) {
        if ((!pair->is(PickleKind::tuple) && !pair->is(PickleKind::list)) || pair->items.size() != 2) {
          throw PickleRefused("OrderedDict item " + pair->describe() + " is not a (key, value) pair");
        }
        dict->entries.emplace_back(pair->items[0], pair->items[1]);
      }
    } else if (!a.empty()) {
      throw PickleRefused("OrderedDict called with " + args.describe());
    }
    return dict;
  }
  if (name == kRebuildTensorV2) {
    // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    if (a.size() < 6 || a.size() > 7) throw PickleRefused(name + " called with " + args.describe());
    return make_tensor(*a[0], *a[1], *a[2], *a[3], expect_bool(*a[4], "requires_grad"));
  }
  if (name == kRebuildTensor) {  // (storage, storage_offset, size, stride), torch < 1.0
    if (a.size() != 4) throw PickleRefused(name + " called with " + args.describe());
    return make_tensor(*a[0], *a[1], *a[2], *a[3], false);
  }
  if (name == kRebuildParameter || name == kRebuildParameterWithState) {
    // (data, requires_grad, backward_hooks[, state]): a Parameter is its tensor here.
    if (a.size() < 3 || a.size() > 4 || !a[0]->is(PickleKind::tensor)) {
      throw PickleRefused(name + " called with " + args.describe());
    }
    auto tensor = PickleValue::make(PickleKind::tensor);
    tensor->tensor = std::make_shared<TensorRef>(*a[0]->tensor);
    tensor->tensor->requires_grad = expect_bool(*a[1], "requires_grad");
    return tensor;
  }
  if (name == kTorchSize) {
    if (a.size() != 1) throw PickleRefused(name + " called with " + args.describe());
    auto tuple = PickleValue::make(PickleKind::tuple);
    tuple->items = a[0]->items;
    expect_int_tuple(*tuple, "torch.Size");
    return tuple;
  }
  if (name == kCodecsEncode) {
    // Python 3 pickles bytes at protocol 2 as _codecs.encode(str, "latin1"): code points 0-255 are the bytes.
    if (a.size() != 2 || !a[0]->is(PickleKind::string) || !a[1]->is(PickleKind::string) ||
        a[1]->text != "latin1") {
      throw PickleRefused(name + " is allowed only as encode(str, \"latin1\"), found " + args.describe());
    }
    auto bytes = PickleValue::make(PickleKind::bytes);
    const std::string& utf8 = a[0]->text;
    for (std::size_t i = 0; i < utf8.size(); ++i) {
      const auto c = static_cast<unsigned char>(utf8[i]);
      if (c < 0x80) {
        bytes->text.push_back(static_cast<char>(c));
      } else if ((c == 0xc2 || c == 0xc3) && i + 1 < utf8.size()) {
        bytes->text.push_back(static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(utf8[++i]) & 0x3f)));
      } else {
        throw PickleRefused("_codecs.encode: a character beyond latin-1");
      }
    }
    return bytes;
  }
  if (name == kRestoreTypeTag) {  // (value, "Dict[str, Tensor]"): the value itself
    if (a.size() != 2 || !a[1]->is(PickleKind::string)) throw PickleRefused(name + " called with " + args.describe());
    return a[0];
  }
  throw PickleRefused("calling " + quote_for_message(name) + " is not allowed");
}

void TorchUnpicklerRules::build(PickleValue& object, const PickleValuePtr& state) {
  // model.state_dict() is an OrderedDict with a `_metadata` attribute (module versions), set through BUILD.
  if (object.is(PickleKind::dict) && state && (state->is(PickleKind::dict) || state->is(PickleKind::none))) {
    object.attributes = state;
    return;
  }
  throw PickleRefused("setting the state of a " + object.describe() + " to a " +
                      (state ? state->describe() : std::string("nothing")) + " is not allowed");
}

PickleValuePtr TorchUnpicklerRules::persistent_load(const PickleValue& pid) {
  // Zip format: ('storage', StorageType, key, location, numel).
  // Legacy format: ('storage', StorageType, root_key, location, numel, view_metadata) where view_metadata is
  // None or (view_key, offset, view_size) for storage views of torch < 1.0.
  const auto& p = pid.items;
  if (!pid.is(PickleKind::tuple) || p.size() < 5 || p.size() > 6 || !p[0]->is(PickleKind::string) ||
      p[0]->text != "storage") {
    throw PickleRefused("persistent id " + pid.describe() + " is not a ('storage', ...) tuple");
  }
  if (!p[1]->is(PickleKind::global)) throw PickleRefused("storage type is a " + p[1]->describe());
  const std::string& type_name = p[1]->text;
  c10::ScalarType dtype;
  if (!storage_dtype_from_name(type_name.substr(type_name.rfind('.') + 1), dtype)) {
    throw PickleRefused("storage type " + quote_for_message(type_name) + " is not a tensor storage");
  }
  if (!p[2]->is(PickleKind::string)) throw PickleRefused("storage key is a " + p[2]->describe());
  const std::string& key = p[2]->text;
  const std::int64_t numel = expect_integer(*p[4], "storage numel");
  if (numel < 0) throw PickleRefused("storage " + quote_for_message(key) + " has a negative size");

  auto root = m_storages.find(key);
  if (root == m_storages.end()) {
    auto ref = std::make_shared<StorageRef>();
    ref->key = key;
    ref->dtype = dtype;
    ref->numel = numel;
    root = m_storages.emplace(key, std::move(ref)).first;
  } else if (root->second->dtype != dtype) {
    throw PickleRefused("storage " + quote_for_message(key) + " is used with two dtypes");
  }

  auto value = PickleValue::make(PickleKind::storage);
  if (p.size() == 6 && !p[5]->is(PickleKind::none)) {
    const auto& view = *p[5];
    if (!view.is(PickleKind::tuple) || view.items.size() != 3) {
      throw PickleRefused("storage view metadata is a " + view.describe());
    }
    auto ref = std::make_shared<StorageRef>(*root->second);
    ref->view_offset = expect_integer(*view.items[1], "storage view offset");
    ref->numel = expect_integer(*view.items[2], "storage view size");
    if (ref->view_offset < 0 || ref->numel < 0 || ref->view_offset + ref->numel > root->second->numel) {
      throw PickleRefused("storage view [" + std::to_string(ref->view_offset) + ", +" + std::to_string(ref->numel) +
                          ") lies outside its storage of " + std::to_string(root->second->numel) + " elements");
    }
    value->storage = std::move(ref);
  } else {
    value->storage = root->second;
  }
  return value;
}

}  // namespace counterscope::modeling
