#include "core/modeling/weights/torch_checkpoint.h"

#include <map>
#include <memory>
#include <sstream>

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <caffe2/serialize/inline_container.h>
#include <torch/serialize.h>

#include "core/util/atomic_file.h"
#include "core/modeling/weights/pickled_state_dict.h"
#include "core/modeling/weights/restricted_unpickler.h"
#include "core/modeling/weights/torch_pickle_rules.h"
#include "core/util/error.h"

namespace counterscope::modeling {
namespace {

// c10::Error messages carry a C++ backtrace; the first line is what the user needs.
std::string first_line(const c10::Error& error) {
  std::string message = error.what_without_backtrace();
  const auto newline = message.find('\n');
  return newline == std::string::npos ? message : message.substr(0, newline);
}

std::string read_record_text(caffe2::serialize::PyTorchStreamReader& reader, const std::string& name) {
  auto [data, size] = reader.getRecord(name);
  return std::string(static_cast<const char*>(data.get()), size);
}

StateDict read_zip(const std::string& path, const std::string& entry) {
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> reader;
  try {
    reader = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path);
  } catch (const c10::Error& error) {
    throw InputError(path, "zip archive", "", "not a readable torch.save zip file (" + first_line(error) + ")");
  }
  if (!reader->hasRecord("data.pkl")) {
    throw InputError(path, "data.pkl", "", "missing: this zip file is not a torch.save checkpoint");
  }
  // torch >= 2.1 records the byte order; older files are little-endian like every machine this runs on.
  if (reader->hasRecord("byteorder")) {
    const std::string order = read_record_text(*reader, "byteorder");
    if (order != "little") {
      throw InputError(path, "byteorder", quote_for_message(order), "only little-endian checkpoints are supported");
    }
  }

  const std::string pickle = read_record_text(*reader, "data.pkl");
  std::istringstream stream(pickle);
  TorchUnpicklerRules rules;
  PickleValuePtr root = read_pickle(stream, PickleSource{path, "data.pkl", static_cast<std::int64_t>(pickle.size())},
                                    rules);

  std::string state_path;
  const PickleValue& dict = select_state_dict(*root, path, entry, state_path);

  std::map<std::string, at::Tensor> loaded;
  const StorageProvider storages = [&](const StorageRef& ref) -> at::Tensor {
    if (auto it = loaded.find(ref.key); it != loaded.end()) return it->second;
    const std::string record = "data/" + ref.key;
    if (!reader->hasRecord(record)) throw InputError(path, record, "", "missing storage record");
    auto [data, nbytes] = reader->getRecord(record);
    const std::int64_t element_size = static_cast<std::int64_t>(c10::elementSize(ref.dtype));
    // The root storage's length comes from the record; views (legacy only) never occur in zip files.
    const std::int64_t numel = static_cast<std::int64_t>(nbytes) / element_size;
    if (numel < ref.view_offset + ref.numel) {
      throw InputError(path, record, std::to_string(nbytes) + " bytes",
                       "shorter than the " + std::to_string(ref.numel) + " elements of " +
                           std::string(c10::toString(ref.dtype)) + " the pickle declares");
    }
    c10::Storage storage(c10::Storage::use_byte_size_t(), nbytes, std::move(data), nullptr, false);
    at::Tensor flat = at::empty({0}, at::TensorOptions().dtype(ref.dtype)).set_(storage, 0, {numel}, {1});
    loaded.emplace(ref.key, flat);
    return flat;
  };
  return rebuild_state_dict(dict, path, state_path, storages);
}

}  // namespace

StateDict load_torch_zip_checkpoint(const std::string& path, const std::string& entry) {
  try {
    return read_zip(path, entry);
  } catch (const c10::Error& error) {
    throw InputError(path, "zip archive", "", "unreadable (" + first_line(error) + ")");
  }
}

void save_pth(const StateDict& state, const std::string& path) {
  c10::Dict<std::string, at::Tensor> dict;
  for (const auto& entry : state) {
    at::Tensor tensor = entry.tensor.detach().to(at::kCPU).contiguous();
    // A view of a larger storage would drag the whole storage into the file.
    if (tensor.storage_offset() != 0 || tensor.storage().nbytes() != tensor.nbytes()) tensor = tensor.clone();
    dict.insert(entry.name, tensor);
  }
  // torch::pickle_save writes the zip format of torch.save: data.pkl (a dict, ordered) plus one record per
  // storage, which Python's torch.load reads.
  const std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
  write_file_atomically(path, [&](std::ostream& out) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); });
}

}  // namespace counterscope::modeling
