#include "core/modeling/weights/torch_checkpoint.h"

#include <fstream>
#include <map>
#include <set>

#include <ATen/ATen.h>

#include "core/modeling/weights/pickled_state_dict.h"
#include "core/modeling/weights/restricted_unpickler.h"
#include "core/modeling/weights/torch_pickle_rules.h"
#include "core/util/error.h"

namespace counterscope::modeling {
namespace {

// torch/serialization.py: MAGIC_NUMBER = 0x1950a86a20f9469cfc6c, pickled as LONG1 (little-endian bytes);
// PROTOCOL_VERSION = 1001.
const std::string kMagicNumber("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10);
constexpr std::int64_t kProtocolVersion = 1001;

class LegacyReader {
 public:
  explicit LegacyReader(const std::string& path) : m_path(path), m_in(path, std::ios::binary) {
    if (!m_in) throw InputError(path, "", "", "cannot open the file");
    m_in.seekg(0, std::ios::end);
    m_size = static_cast<std::int64_t>(m_in.tellg());
    m_in.seekg(0);
  }

  PickleValuePtr next_pickle(const std::string& name) {
    std::int64_t length = 0;
    PickleValuePtr value = read_pickle(m_in, PickleSource{m_path, name, m_size - m_offset, m_offset}, m_rules, &length);
    m_offset += length;
    return value;
  }

  StateDict read(const std::string& entry) {
    PickleValuePtr magic = next_pickle("magic number");
    if (!magic->is(PickleKind::big_integer) || magic->text != kMagicNumber) {
      throw InputError(m_path, "magic number", magic->describe(), "not a torch.save file");
    }
    PickleValuePtr protocol = next_pickle("protocol version");
    if (!protocol->is(PickleKind::integer) || protocol->integer != kProtocolVersion) {
      throw InputError(m_path, "protocol version", protocol->describe(), "unsupported (expected 1001)");
    }
    PickleValuePtr sys_info = next_pickle("system info");
    PickleValuePtr little_endian = sys_info->find("little_endian");
    if (little_endian && little_endian->is(PickleKind::boolean) && !little_endian->boolean) {
      throw InputError(m_path, "system info.little_endian", "False", "only little-endian checkpoints are supported");
    }

    PickleValuePtr root = next_pickle("pickle");
    PickleValuePtr keys = next_pickle("storage keys");
    if (!keys->is(PickleKind::list)) throw InputError(m_path, "storage keys", keys->describe(), "not a list");

    std::string state_path;
    const PickleValue& dict = select_state_dict(*root, m_path, entry, state_path);
    std::set<std::string> needed;
    for (const auto& item : dict.entries) {
      if (item.second->is(PickleKind::tensor)) needed.insert(item.second->tensor->storage->key);
    }
    read_storages(*keys, needed);

    const StorageProvider storages = [&](const StorageRef& ref) -> at::Tensor {
      auto it = m_storages.find(ref.key);
      if (it == m_storages.end()) throw InputError(m_path, "storage " + quote_for_message(ref.key), "", "missing");
      return it->second;
    };
    return rebuild_state_dict(dict, m_path, state_path, storages);
  }

 private:
  // After the storage keys, each storage is stored as int64 element count + raw little-endian data, in the
  // order of the keys. Storages that the state dict does not use (an optimizer's, say) are skipped.
  void read_storages(const PickleValue& keys, const std::set<std::string>& needed) {
    for (const auto& key_value : keys.items) {
      if (!key_value->is(PickleKind::string)) {
        throw InputError(m_path, "storage keys", key_value->describe(), "a key is not a string");
      }
      const std::string& key = key_value->text;
      const std::string field = "storage " + quote_for_message(key);
      auto ref = m_rules.storages().find(key);
      if (ref == m_rules.storages().end()) {
        throw InputError(m_path, field, "", "listed in the storage keys but used by no tensor");
      }
      const c10::ScalarType dtype = ref->second->dtype;
      const std::int64_t element_size = static_cast<std::int64_t>(c10::elementSize(dtype));
      std::int64_t numel = 0;
      if (m_size - m_offset < 8 || !m_in.read(reinterpret_cast<char*>(&numel), 8)) {
        throw InputError(m_path, field, "", "the file ends before this storage; it is truncated");
      }
      m_offset += 8;
      if (numel < 0 || numel > (m_size - m_offset) / element_size) {
        throw InputError(m_path, field, std::to_string(numel) + " elements",
                         "more data than the file holds; it is truncated or corrupt");
      }
      const std::int64_t nbytes = numel * element_size;
      if (numel < ref->second->numel) {
        throw InputError(m_path, field, std::to_string(numel) + " elements",
                         "fewer than the " + std::to_string(ref->second->numel) + " the pickle declares");
      }
      if (needed.count(key) != 0) {
        at::Tensor flat = at::empty({numel}, at::TensorOptions().dtype(dtype));
        if (!m_in.read(static_cast<char*>(flat.data_ptr()), nbytes)) {
          throw InputError(m_path, field, "", "the file ends inside this storage; it is truncated");
        }
        m_storages.emplace(key, flat);
      } else {
        m_in.seekg(nbytes, std::ios::cur);
      }
      m_offset += nbytes;
    }
  }

  std::string m_path;
  std::ifstream m_in;
  std::int64_t m_size = 0;
  std::int64_t m_offset = 0;
  TorchUnpicklerRules m_rules;
  std::map<std::string, at::Tensor> m_storages;
};

}  // namespace

StateDict load_torch_legacy_checkpoint(const std::string& path, const std::string& entry) {
  LegacyReader reader(path);
  return reader.read(entry);
}

}  // namespace counterscope::modeling
