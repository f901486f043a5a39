#pragma once
// The values a restricted unpickler can produce: Python's plain data types, plus references to tensor storages
// and tensors that the checkpoint reader resolves after the pickle is read (the storages of a legacy torch.save
// file come after its pickle). Nothing here can hold a Python object of an arbitrary class.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <c10/core/ScalarType.h>

namespace counterscope::modeling {

struct PickleValue;
using PickleValuePtr = std::shared_ptr<PickleValue>;

/// A storage named by a persistent id: ('storage', <StorageType>, key, location, numel[, view]).
struct StorageRef {
  std::string key;                ///< record name in the zip (data/<key>) or key in a legacy file
  c10::ScalarType dtype = c10::kFloat;
  std::int64_t numel = 0;         ///< elements of this storage (or of the view, for legacy views)
  std::int64_t view_offset = 0;   ///< legacy storage views: first element inside the root storage
};

/// A tensor to build from a storage: torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...).
struct TensorRef {
  std::shared_ptr<StorageRef> storage;
  std::int64_t storage_offset = 0;  ///< in elements
  std::vector<std::int64_t> size;
  std::vector<std::int64_t> stride;
  bool requires_grad = false;
};

enum class PickleKind {
  none,
  boolean,
  integer,      ///< fits in int64
  big_integer,  ///< wider than int64; `text` holds its little-endian two's-complement bytes
  floating,
  string,       ///< unicode text (utf-8) or a Python 2 str
  bytes,
  tuple,
  list,
  dict,
  global,       ///< an allowed callable or class; `text` holds "module.name"
  storage,
  tensor,
};

/// Name of a kind for error messages ("dict", "tuple" ...).
const char* to_string(PickleKind kind);

/// One unpickled value. Lists and dicts are shared through PickleValuePtr because pickles refer to them again
/// (memo) and fill them after creation (APPEND, SETITEMS).
struct PickleValue {
  PickleKind kind = PickleKind::none;
  bool boolean = false;
  std::int64_t integer = 0;
  double floating = 0.0;
  std::string text;
  std::vector<PickleValuePtr> items;                               ///< tuple, list
  std::vector<std::pair<PickleValuePtr, PickleValuePtr>> entries;  ///< dict, in insertion order
  PickleValuePtr attributes;  ///< BUILD state of a dict subclass (e.g. a state dict's `_metadata`)
  std::shared_ptr<StorageRef> storage;
  std::shared_ptr<TensorRef> tensor;

  static PickleValuePtr make(PickleKind kind);
  static PickleValuePtr make_integer(std::int64_t value);
  static PickleValuePtr make_string(std::string value);

  bool is(PickleKind k) const { return kind == k; }
  /// The value stored under the string key `key` of a dict, or nullptr.
  PickleValuePtr find(const std::string& key) const;
  /// A short description for error messages: "dict of 3 items", "string \"abc\"".
  std::string describe() const;
};

}  // namespace counterscope::modeling
