// .safetensors: round trips of every dtype, the exact byte layout, and malformed files.

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/modeling/weights/checkpoint.h"
#include "core/modeling/weights/safetensors.h"
#include "core/util/error.h"
#include "tests/test_paths.h"

namespace counterscope::modeling {
namespace {

namespace fs = std::filesystem;

class SafetensorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::path(COUNTERSCOPE_TEST_TMP_DIR) / "test_safetensors";
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  std::string file(const std::string& name) const { return (m_dir / name).string(); }

  /// Writes a file with the given JSON header and `data_bytes` zero bytes of data.
  std::string write_raw(const std::string& name, const std::string& header, std::size_t data_bytes) const {
    std::ofstream out(file(name), std::ios::binary);
    std::uint64_t length = header.size();
    for (int i = 0; i < 8; ++i) out.put(static_cast<char>((length >> (8 * i)) & 0xff));
    out << header << std::string(data_bytes, '\0');
    return file(name);
  }

  std::string error_of(const std::string& path) const {
    try {
      read_safetensors(path);
    } catch (const InputError& error) {
      return error.what();
    }
    return "no error";
  }

  fs::path m_dir;
};

StateDict every_dtype() {
  torch::manual_seed(3);
  at::Tensor base = torch::randn({3, 4});
  StateDict state;
  state.insert("f32", base);
  state.insert("f64", base.to(torch::kDouble));
  state.insert("f16", base.to(torch::kHalf));
  state.insert("bf16", base.to(torch::kBFloat16));
  state.insert("i64", torch::arange(-5, 7, torch::kLong) * static_cast<std::int64_t>(1000000007));
  state.insert("i32", torch::arange(-6, 6, torch::kInt));
  state.insert("i16", torch::arange(-6, 6, torch::kShort));
  state.insert("i8", torch::arange(-6, 6, torch::kChar));
  state.insert("u8", torch::arange(250, 256, torch::kByte));
  state.insert("bool", torch::tensor({true, false, true}));
  state.insert("scalar", torch::tensor(2.5));
  state.insert("empty", torch::zeros({0, 3}));
  state.insert("transposed", base.t());  // non-contiguous: saved contiguous
  return state;
}

TEST_F(SafetensorsTest, RoundTripsEveryDtypeInOrderWithMetadata) {
  const StateDict state = every_dtype();
  save_safetensors(state, file("all.safetensors"), {{"format", "pt"}, {"note", "round trip"}});
  const SafetensorsContents loaded = read_safetensors(file("all.safetensors"));
  ASSERT_EQ(loaded.tensors.size(), state.size());
  for (std::size_t i = 0; i < state.size(); ++i) {
    const auto& expected = state.entries()[i];
    const auto& got = loaded.tensors.entries()[i];
    EXPECT_EQ(got.name, expected.name);
    EXPECT_EQ(got.tensor.scalar_type(), expected.tensor.scalar_type()) << expected.name;
    EXPECT_EQ(got.tensor.sizes(), expected.tensor.sizes()) << expected.name;
    EXPECT_TRUE(torch::equal(got.tensor, expected.tensor)) << expected.name;
  }
  EXPECT_EQ(loaded.metadata.at("format"), "pt");
  EXPECT_EQ(loaded.metadata.at("note"), "round trip");
  EXPECT_EQ(detect_checkpoint_format(file("all.safetensors")), CheckpointFormat::safetensors);
  EXPECT_EQ(load_state_dict(file("all.safetensors")).size(), state.size());
}

TEST_F(SafetensorsTest, WritesTheDocumentedLayout) {
  StateDict state;
  state.insert("b", torch::tensor({1.f, 2.f}));
  state.insert("a", torch::tensor({std::int16_t{7}}));
  save_safetensors(state, file("layout.safetensors"));
  std::ifstream in(file("layout.safetensors"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::uint64_t header_length = 0;
  for (int i = 7; i >= 0; --i) header_length = (header_length << 8) | static_cast<unsigned char>(bytes[i]);
  EXPECT_EQ(header_length % 8, 0u);  // data 8-byte aligned
  const std::string header = bytes.substr(8, header_length);
  EXPECT_EQ(header.rfind(R"({"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"I16","shape":[1],)"
                         R"("data_offsets":[8,10]}})", 0), 0u) << header;
  ASSERT_EQ(bytes.size(), 8 + header_length + 10);
  float first = 0;
  std::memcpy(&first, bytes.data() + 8 + header_length, 4);
  EXPECT_EQ(first, 1.f);
}

TEST_F(SafetensorsTest, RefusesMalformedFiles) {
  {
    std::ofstream(file("short.safetensors"), std::ios::binary) << "abc";
  }
  EXPECT_NE(error_of(file("short.safetensors")).find("header length"), std::string::npos);
  {
    std::ofstream out(file("huge.safetensors"), std::ios::binary);
    out << std::string("\xff\xff\xff\xff\x00\x00\x00\x00{}", 10);
  }
  EXPECT_NE(error_of(file("huge.safetensors")).find("header length = 4294967295"), std::string::npos);
  EXPECT_NE(error_of(write_raw("json.safetensors", "{\"w\": ", 0)).find("header: not valid JSON"),
            std::string::npos);

  const std::string past_end = error_of(write_raw(
      "past.safetensors", R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,160]}})", 16));
  EXPECT_NE(past_end.find("past.safetensors: w.data_offsets = [0,160]: outside the 16 bytes"), std::string::npos)
      << past_end;
  const std::string span = error_of(write_raw(
      "span.safetensors", R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,16]}})", 16));
  EXPECT_NE(span.find("needs 24"), std::string::npos) << span;
  const std::string overlap = error_of(write_raw(
      "overlap.safetensors",
      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
      16));
  EXPECT_NE(overlap.find("b.data_offsets"), std::string::npos) << overlap;
  EXPECT_NE(overlap.find("overlaps the data of \"a\""), std::string::npos) << overlap;
  const std::string dtype = error_of(write_raw(
      "dtype.safetensors", R"({"w":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}})", 8));
  EXPECT_NE(dtype.find("w.dtype = \"C64\": unsupported dtype"), std::string::npos) << dtype;
  const std::string shape = error_of(write_raw(
      "shape.safetensors", R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4));
  EXPECT_NE(shape.find("w.shape"), std::string::npos) << shape;
  const std::string metadata = error_of(write_raw("meta.safetensors", R"({"__metadata__":{"n":3}})", 0));
  EXPECT_NE(metadata.find("__metadata__.n = 3: must be a string"), std::string::npos) << metadata;
}

TEST_F(SafetensorsTest, RefusesWhatTheFormatCannotHold) {
  StateDict complex;
  complex.insert("z", torch::zeros({2}, torch::kComplexFloat));
  EXPECT_THROW(save_safetensors(complex, file("complex.safetensors")), Error);
  StateDict reserved;
  reserved.insert("__metadata__", torch::zeros({2}));
  EXPECT_THROW(save_safetensors(reserved, file("reserved.safetensors")), Error);
  EXPECT_FALSE(fs::exists(file("complex.safetensors")));
}

TEST_F(SafetensorsTest, SavingIsAtomic) {
  StateDict state;
  state.insert("w", torch::ones({3}));
  save_safetensors(state, file("w.safetensors"));
  state = StateDict();
  state.insert("w", torch::full({3}, 2.f));
  save_safetensors(state, file("w.safetensors"));  // replaces the old file
  EXPECT_TRUE(torch::equal(load_state_dict(file("w.safetensors")).find("w")->clone(), torch::full({3}, 2.f)));
  // A folder that does not exist: nothing is written, no temporary file is left behind.
  EXPECT_THROW(save_safetensors(state, file("missing/w.safetensors")), InputError);
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(m_dir)) files += entry.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 1u);
}

}  // namespace
}  // namespace counterscope::modeling
