// The restricted unpickler and torch's allow-list on hand-written pickles: plain data, memo sharing,
// OrderedDict with _metadata, tensors from persistent ids, and everything that must be refused.

#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/modeling/weights/pickled_state_dict.h"
#include "core/modeling/weights/restricted_unpickler.h"
#include "core/modeling/weights/torch_pickle_rules.h"
#include "core/util/error.h"

namespace counterscope::modeling {
namespace {

/// Writes pickle opcodes by name, so each test shows the program it feeds the unpickler.
class PickleWriter {
 public:
  PickleWriter& proto() { return op("\x80\x02"); }
  PickleWriter& op(const std::string& bytes) { m_bytes += bytes; return *this; }
  PickleWriter& mark() { return op("("); }
  PickleWriter& stop() { return op("."); }
  PickleWriter& none() { return op("N"); }
  PickleWriter& int1(unsigned char v) { m_bytes += 'K'; m_bytes += static_cast<char>(v); return *this; }
  PickleWriter& int4(std::int32_t v) {
    m_bytes += 'J';
    for (int i = 0; i < 4; ++i) m_bytes += static_cast<char>((static_cast<std::uint32_t>(v) >> (8 * i)) & 0xff);
    return *this;
  }
  PickleWriter& str(const std::string& s) {
    m_bytes += 'X';
    for (int i = 0; i < 4; ++i) m_bytes += static_cast<char>((s.size() >> (8 * i)) & 0xff);
    m_bytes += s;
    return *this;
  }
  PickleWriter& global(const std::string& module, const std::string& name) {
    return op("c" + module + "\n" + name + "\n");
  }
  PickleWriter& put(unsigned char i) { m_bytes += 'q'; m_bytes += static_cast<char>(i); return *this; }
  PickleWriter& get(unsigned char i) { m_bytes += 'h'; m_bytes += static_cast<char>(i); return *this; }
  const std::string& bytes() const { return m_bytes; }

 private:
  std::string m_bytes;
};

PickleValuePtr unpickle(const std::string& bytes) {
  std::istringstream in(bytes);
  TorchUnpicklerRules rules;
  return read_pickle(in, PickleSource{"test.pth", "data.pkl", static_cast<std::int64_t>(bytes.size())}, rules);
}

std::string error_of(const std::string& bytes) {
  try {
    unpickle(bytes);
  } catch (const InputError& error) {
    return error.what();
  }
  return "no error";
}

TEST(RestrictedUnpickler, ReadsPlainDataAndSharesMemoisedValues) {
  PickleWriter p;
  p.proto().op("}").put(0).mark()
      .str("a").int1(5)
      .str("b").op("]").put(1).mark().op(std::string("G\x3f\xf8\x00\x00\x00\x00\x00\x00", 9)).op("\x88").none()
                     .op(std::string("\x8a\x01\xff", 3)).int4(-2).op("e")
      .str("again").get(1)
      .op("u").stop();
  PickleValuePtr root = unpickle(p.bytes());
  ASSERT_TRUE(root->is(PickleKind::dict));
  ASSERT_EQ(root->entries.size(), 3u);
  EXPECT_EQ(root->find("a")->integer, 5);
  PickleValuePtr list = root->find("b");
  ASSERT_TRUE(list->is(PickleKind::list));
  ASSERT_EQ(list->items.size(), 5u);
  EXPECT_DOUBLE_EQ(list->items[0]->floating, 1.5);
  EXPECT_TRUE(list->items[1]->boolean);
  EXPECT_TRUE(list->items[2]->is(PickleKind::none));
  EXPECT_EQ(list->items[3]->integer, -1);  // LONG1 0xff is -1 (two's complement)
  EXPECT_EQ(list->items[4]->integer, -2);
  EXPECT_EQ(root->find("again").get(), list.get());  // BINGET returns the very same list
}

TEST(RestrictedUnpickler, KeepsWideIntegersAsBytes) {
  const std::string magic("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10);
  PickleValuePtr value = unpickle(std::string("\x80\x02\x8a\x0a", 4) + magic + ".");
  ASSERT_TRUE(value->is(PickleKind::big_integer));
  EXPECT_EQ(value->text, magic);
}

TEST(RestrictedUnpickler, OrderedDictKeepsItsMetadataAttribute) {
  PickleWriter p;
  p.proto().global("collections", "OrderedDict").put(0).op(")").op("R").put(1)
      .mark().str("x").int1(1).str("y").int1(2).op("u")
      .op("}").str("_metadata").get(0).op(")").op("R").mark().str("").op("}").str("version").int1(1).op("s").op("u")
      .op("s").op("b").stop();
  PickleValuePtr root = unpickle(p.bytes());
  ASSERT_TRUE(root->is(PickleKind::dict));
  ASSERT_EQ(root->entries.size(), 2u);
  EXPECT_EQ(root->entries[0].first->text, "x");
  EXPECT_EQ(root->entries[1].second->integer, 2);
  ASSERT_TRUE(root->attributes);
  ASSERT_TRUE(root->attributes->find("_metadata"));
  EXPECT_EQ(root->attributes->find("_metadata")->find("")->find("version")->integer, 1);
}

/// _rebuild_tensor_v2(('storage', torch.FloatStorage, '0', 'cpu', 6), offset, (2, 2), (1, 2), False, OrderedDict())
std::string tensor_pickle(unsigned char offset, const std::string& storage_type = "FloatStorage") {
  PickleWriter p;
  p.proto().global("torch._utils", "_rebuild_tensor_v2")
      .mark()
      .mark().str("storage").global("torch", storage_type).str("0").str("cpu").int1(6).op("t").op("Q")
      .int1(offset)
      .mark().int1(2).int1(2).op("t")
      .mark().int1(1).int1(2).op("t")
      .op("\x89").global("collections", "OrderedDict").op(")").op("R")
      .op("t").op("R").stop();
  return p.bytes();
}

TEST(RestrictedUnpickler, RebuildsTensorsFromPersistentStorages) {
  PickleValuePtr value = unpickle(tensor_pickle(1));
  ASSERT_TRUE(value->is(PickleKind::tensor));
  const TensorRef& ref = *value->tensor;
  EXPECT_EQ(ref.storage->key, "0");
  EXPECT_EQ(ref.storage->dtype, c10::kFloat);
  EXPECT_EQ(ref.storage->numel, 6);
  EXPECT_EQ(ref.storage_offset, 1);
  EXPECT_EQ(ref.size, (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(ref.stride, (std::vector<std::int64_t>{1, 2}));

  at::Tensor storage = torch::arange(6, torch::kFloat);
  at::Tensor tensor = rebuild_tensor(ref, storage, "test.pth", "w");
  // Element (i, j) sits at 1 + i + 2j: [[1, 3], [2, 4]].
  EXPECT_TRUE(torch::equal(tensor, torch::tensor({{1.f, 3.f}, {2.f, 4.f}})));
  EXPECT_EQ(tensor.stride(1), 2);
  EXPECT_EQ(tensor.data_ptr<float>(), storage.data_ptr<float>() + 1);  // a view, not a copy
}

TEST(RestrictedUnpickler, RefusesATensorReachingPastItsStorage) {
  PickleValuePtr value = unpickle(tensor_pickle(3));  // last element at 3 + 1 + 2 = 6, storage has 6
  at::Tensor storage = torch::arange(6, torch::kFloat);
  try {
    rebuild_tensor(*value->tensor, storage, "test.pth", "layer.weight");
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("test.pth: layer.weight"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("reaches element 6"), std::string::npos) << error.what();
  }
}

TEST(RestrictedUnpickler, RefusesGlobalsOutsideTheAllowList) {
  PickleWriter system_call;
  system_call.proto().global("posix", "system").str("touch /tmp/pwned").op("\x85").op("R").stop();
  const std::string message = error_of(system_call.bytes());
  EXPECT_NE(message.find("test.pth: data.pkl byte 2"), std::string::npos) << message;
  EXPECT_NE(message.find("\"posix.system\" is not allowed"), std::string::npos) << message;

  PickleWriter eval;
  eval.proto().str("builtins").str("eval").op("\x93").stop();
  EXPECT_NE(error_of(eval.bytes()).find("builtins.eval"), std::string::npos);

  EXPECT_NE(error_of(tensor_pickle(0, "QInt8Storage")).find("torch.QInt8Storage"), std::string::npos);
  EXPECT_NE(error_of(PickleWriter().proto().global("torch", "load").stop().bytes()).find("not allowed"),
            std::string::npos);
}

TEST(RestrictedUnpickler, RefusesCallingAnAllowedStorageClass) {
  PickleWriter p;
  p.proto().global("torch", "FloatStorage").op(")").op("R").stop();
  EXPECT_NE(error_of(p.bytes()).find("calling \"torch.FloatStorage\" is not allowed"), std::string::npos);
}

TEST(RestrictedUnpickler, RefusesObjectCreatingOpcodes) {
  PickleWriter p;
  p.proto().global("collections", "OrderedDict").op(")").op("\x81").stop();  // NEWOBJ
  const std::string message = error_of(p.bytes());
  EXPECT_NE(message.find("opcode 0x81"), std::string::npos) << message;
  EXPECT_NE(message.find("not supported or not allowed"), std::string::npos) << message;
}

TEST(RestrictedUnpickler, ReportsTruncatedAndCorruptPickles) {
  const std::string whole = tensor_pickle(0);
  for (std::size_t cut : {std::size_t{1}, std::size_t{10}, whole.size() / 2, whole.size() - 1}) {
    const std::string message = error_of(whole.substr(0, cut));
    EXPECT_NE(message.find("test.pth: data.pkl byte"), std::string::npos) << cut << ": " << message;
  }
  EXPECT_NE(error_of("\x80\x02h\x07.").find("memo entry 7 was never stored"), std::string::npos);
  EXPECT_NE(error_of("\x80\x02.").find("STOP with 0 values"), std::string::npos);
  EXPECT_NE(error_of("\x80\x02K\x01K\x02K\x03s.").find("SETITEM on a int"), std::string::npos);
  // A string length far beyond the data is refused before anything is allocated.
  EXPECT_NE(error_of(std::string("\x80\x02X\xff\xff\xff\x7f", 7)).find("runs past the end"), std::string::npos);
}

TEST(RestrictedUnpickler, DecodesPython3BytesAtProtocol2) {
  PickleWriter p;
  p.proto().global("_codecs", "encode").str("\x41\xc3\xbf").str("latin1").op("\x86").op("R").stop();
  PickleValuePtr value = unpickle(p.bytes());
  ASSERT_TRUE(value->is(PickleKind::bytes));
  EXPECT_EQ(value->text, std::string("A\xff"));
}

}  // namespace
}  // namespace counterscope::modeling
