// torch.save checkpoints written by real Python (torch 1.13, torchvision 0.14) at test time: torchvision's
// resnet18 in the zip and legacy formats, every dtype, views of one storage, nested checkpoints, malicious and
// foreign files; and .pth files written here that Python's torch.load must read back equal.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/modeling/weights/checkpoint.h"
#include "core/modeling/weights/safetensors.h"
#include "core/modeling/weights/torch_checkpoint.h"
#include "core/util/error.h"
#include "tests/test_paths.h"
#include "weights_test_config.h"

namespace counterscope::modeling {
namespace {

namespace fs = std::filesystem;

const fs::path& fixture_dir() {
  static const fs::path dir = fs::path(COUNTERSCOPE_TEST_TMP_DIR) / "test_torch_checkpoint";
  return dir;
}

std::string fixture(const std::string& name) { return (fixture_dir() / name).string(); }

/// Runs a Python script of this folder; returns its exit status, its output in `log`.
int run_python(const std::string& script_and_args, std::string& log) {
  const std::string log_file = fixture("python.log");
  const std::string command = std::string("\"") + COUNTERSCOPE_TORCH_PYTHON + "\" " + script_and_args + " > \"" +
                              log_file + "\" 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream in(log_file);
  log.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return status;
}

std::string script(const std::string& name) {
  return std::string("\"") + COUNTERSCOPE_WEIGHTS_TEST_SOURCE_DIR + "/" + name + "\"";
}

class TorchCheckpointTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fs::remove_all(fixture_dir());
    fs::create_directories(fixture_dir());
    std::string log;
    s_python_ok = run_python("-c \"import torch, torchvision\"", log) == 0;
    if (!s_python_ok) {
      s_setup_error = std::string(COUNTERSCOPE_TORCH_PYTHON) + " lacks torch/torchvision: " + log;
      return;
    }
    if (run_python(script("make_checkpoints.py") + " \"" + fixture_dir().string() + "\"", log) != 0) {
      s_setup_error = "make_checkpoints.py failed:\n" + log;
    }
  }

  void SetUp() override {
    if (!s_python_ok) GTEST_SKIP() << s_setup_error;  // a machine without Python torch cannot write the files
    ASSERT_TRUE(s_setup_error.empty()) << s_setup_error;
  }

  static nlohmann::json reference_json() {
    std::ifstream in(fixture("reference.json"));
    return nlohmann::json::parse(in);
  }

  static std::string error_of(const std::string& path, const LoadStateDictOptions& options = {}) {
    try {
      load_state_dict(path, options);
    } catch (const InputError& error) {
      return error.what();
    }
    return "no error";
  }

  static bool s_python_ok;
  static std::string s_setup_error;
};

bool TorchCheckpointTest::s_python_ok = false;
std::string TorchCheckpointTest::s_setup_error;

void expect_equal_state(const StateDict& got, const StateDict& expected, const std::string& what) {
  ASSERT_EQ(got.size(), expected.size()) << what;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& e = expected.entries()[i];
    const auto& g = got.entries()[i];
    ASSERT_EQ(g.name, e.name) << what << " #" << i;
    EXPECT_EQ(g.tensor.scalar_type(), e.tensor.scalar_type()) << what << " " << e.name;
    EXPECT_EQ(g.tensor.sizes(), e.tensor.sizes()) << what << " " << e.name;
    EXPECT_TRUE(torch::equal(g.tensor, e.tensor)) << what << " " << e.name;
  }
}

/// Shapes, strides and float64 sums that Python computed, as an independent check of the values.
void expect_matches_json(const StateDict& got, const nlohmann::json& reference, const std::string& what) {
  ASSERT_EQ(got.size(), reference.size()) << what;
  for (std::size_t i = 0; i < reference.size(); ++i) {
    const auto& r = reference[i];
    const auto& g = got.entries()[i];
    ASSERT_EQ(g.name, r["name"].get<std::string>()) << what;
    EXPECT_EQ(g.tensor.sizes().vec(), r["shape"].get<std::vector<std::int64_t>>()) << what << " " << g.name;
    EXPECT_EQ(g.tensor.strides().vec(), r["stride"].get<std::vector<std::int64_t>>()) << what << " " << g.name;
    const double sum = g.tensor.to(torch::kDouble).sum().item<double>();
    const double expected = r["sum"].get<double>();
    EXPECT_NEAR(sum, expected, 1e-9 * std::max(1.0, std::abs(expected))) << what << " " << g.name;
  }
}

TEST_F(TorchCheckpointTest, ReadsTorchvisionResnet18InBothFormats) {
  const StateDict reference = read_safetensors(fixture("resnet18_reference.safetensors")).tensors;
  const nlohmann::json json = reference_json()["resnet18"];
  EXPECT_EQ(reference.size(), 122u);  // 62 parameters + 60 BatchNorm buffers
  for (const std::string stem : {"resnet18_zip", "resnet18_legacy"}) {
    const std::string path = fixture(stem + ".pth");
    EXPECT_EQ(detect_checkpoint_format(path),
              stem == "resnet18_zip" ? CheckpointFormat::torch_zip : CheckpointFormat::torch_legacy);
    const StateDict state = load_state_dict(path);
    expect_equal_state(state, reference, stem);
    expect_matches_json(state, json, stem);
    EXPECT_EQ(state.find("bn1.num_batches_tracked")->item<std::int64_t>(), 1);
    EXPECT_EQ(state.find("layer1.0.conv1.weight")->scalar_type(), torch::kFloat);
  }
}

TEST_F(TorchCheckpointTest, ReadsEveryDtype) {
  const StateDict reference = read_safetensors(fixture("dtypes_reference.safetensors")).tensors;
  for (const std::string stem : {"dtypes_zip", "dtypes_legacy"}) {
    const StateDict state = load_state_dict(fixture(stem + ".pth"));
    expect_equal_state(state, reference, stem);
    expect_matches_json(state, reference_json()["dtypes"], stem);
    EXPECT_EQ(state.find("bf16")->scalar_type(), torch::kBFloat16);
    EXPECT_EQ(state.find("f16")->scalar_type(), torch::kHalf);
    EXPECT_EQ(state.find("bool")->scalar_type(), torch::kBool);
    EXPECT_EQ(state.find("scalar")->dim(), 0);
  }
}

TEST_F(TorchCheckpointTest, HonoursViewsOffsetsAndStrides) {
  const StateDict reference = read_safetensors(fixture("views_reference.safetensors")).tensors;
  for (const std::string stem : {"views_zip", "views_legacy"}) {
    const StateDict state = load_state_dict(fixture(stem + ".pth"));
    expect_equal_state(state, reference, stem);
    expect_matches_json(state, reference_json()["views"], stem);  // strides as Python had them
    const at::Tensor& grid = *state.find("grid");
    const at::Tensor& block = *state.find("block");
    EXPECT_EQ(block.storage_offset(), 8) << stem;  // grid[1:3, 2:5] starts at 1 * 6 + 2
    EXPECT_TRUE(state.find("transposed")->is_same_size(grid.t()));
    // The views share the grid's storage, as they do in Python after torch.load.
    EXPECT_EQ(block.storage().data(), grid.storage().data()) << stem;
    EXPECT_EQ(state.find("column")->storage().data(), grid.storage().data()) << stem;
  }
}

TEST_F(TorchCheckpointTest, ReadsTorch0xLegacyFilesWithStorageViews) {
  // _rebuild_tensor (v1) on a storage view of elements 4..9 of one root storage: view_part = root[5 + i + 2j].
  const StateDict state = load_state_dict(fixture("old_legacy.pth"));
  ASSERT_EQ(state.size(), 2u);
  EXPECT_TRUE(torch::equal(*state.find("whole"), torch::arange(10, torch::kFloat)));
  EXPECT_TRUE(torch::equal(*state.find("view_part"), torch::tensor({{5.f, 7.f}, {6.f, 8.f}})));
  EXPECT_EQ(state.find("view_part")->storage().data(), state.find("whole")->storage().data());
}

TEST_F(TorchCheckpointTest, FindsNestedStateDicts) {
  const StateDict reference = read_safetensors(fixture("nested_reference.safetensors")).tensors;
  expect_equal_state(load_state_dict(fixture("nested_detectron2.pth")), reference, "detectron2 {\"model\": ...}");
  expect_equal_state(load_state_dict(fixture("nested_mmdet.pth")), reference, "mmdet {\"state_dict\": ...}");
  expect_equal_state(load_state_dict(fixture("nested_two.pth")), reference, "model before ema");

  const StateDict ema = load_state_dict(fixture("nested_two.pth"), LoadStateDictOptions{"ema"});
  ASSERT_EQ(ema.size(), reference.size());
  for (const auto& entry : reference) {
    EXPECT_TRUE(torch::equal(*ema.find(entry.name), entry.tensor + 1)) << entry.name;
  }
  const std::string missing = error_of(fixture("nested_two.pth"), LoadStateDictOptions{"teacher"});
  EXPECT_NE(missing.find("nested_two.pth: teacher: no such key; the checkpoint's keys are [\"model\", \"ema\"]"),
            std::string::npos) << missing;
  const std::string none = error_of(fixture("no_state_dict.pth"));
  EXPECT_NE(none.find("no_state_dict.pth: state dict: none found"), std::string::npos) << none;
  EXPECT_NE(none.find("\"not tensors\""), std::string::npos) << none;
}

TEST_F(TorchCheckpointTest, RefusesMaliciousPicklesWithoutRunningThem) {
  for (const std::string stem : {"malicious_zip", "malicious_legacy"}) {
    const std::string message = error_of(fixture(stem + ".pth"));
    EXPECT_NE(message.find(stem + ".pth: "), std::string::npos) << message;
    EXPECT_NE(message.find("global \"posix.system\" is not allowed"), std::string::npos) << message;
  }
  EXPECT_FALSE(fs::exists(fixture("PWNED")));
}

TEST_F(TorchCheckpointTest, RefusesForeignAndTruncatedFiles) {
  const std::string photo = error_of(fixture("photo.pth"));
  EXPECT_NE(photo.find("photo.pth: file header: not a checkpoint"), std::string::npos) << photo;
  const std::string zip = error_of(fixture("zip_without_pickle.pth"));
  EXPECT_NE(zip.find("zip_without_pickle.pth: data.pkl: missing"), std::string::npos) << zip;
  const std::string plain = error_of(fixture("plain.zip"));
  EXPECT_NE(plain.find("plain.zip: zip archive: not a readable torch.save zip file"), std::string::npos) << plain;
  const std::string truncated_zip = error_of(fixture("resnet18_zip_truncated.pth"));
  EXPECT_NE(truncated_zip.find("resnet18_zip_truncated.pth: zip archive"), std::string::npos) << truncated_zip;
  const std::string short_zip = error_of(fixture("resnet18_zip_short_pickle.pth"));
  EXPECT_NE(short_zip.find("resnet18_zip_short_pickle.pth: "), std::string::npos) << short_zip;
  const std::string truncated_legacy = error_of(fixture("resnet18_legacy_truncated.pth"));
  EXPECT_NE(truncated_legacy.find("resnet18_legacy_truncated.pth: storage \""), std::string::npos)
      << truncated_legacy;
  EXPECT_NE(truncated_legacy.find("truncated"), std::string::npos) << truncated_legacy;
  const std::string short_legacy = error_of(fixture("resnet18_legacy_short_pickle.pth"));
  EXPECT_NE(short_legacy.find("resnet18_legacy_short_pickle.pth: pickle byte"), std::string::npos) << short_legacy;
  const std::string offsets = error_of(fixture("bad_offsets.safetensors"));
  EXPECT_NE(offsets.find("bad_offsets.safetensors: w.data_offsets = [0,160]"), std::string::npos) << offsets;
  EXPECT_NE(error_of(fixture("absent.pth")).find("absent.pth: no such file"), std::string::npos);
}

TEST_F(TorchCheckpointTest, PythonReadsThePthFilesWrittenHere) {
  std::string pairs;  // one Python run checks every file: starting Python with torch takes seconds
  for (const std::string stem : {"resnet18_zip", "dtypes_legacy", "views_zip"}) {
    const StateDict state = load_state_dict(fixture(stem + ".pth"));
    const std::string written = fixture(stem + "_written_here.pth");
    save_pth(state, written);
    expect_equal_state(load_state_dict(written), state, stem + " reloaded");
    pairs += " \"" + written + "\" \"" + fixture(stem + ".pth") + "\"";
  }
  std::string log;
  EXPECT_EQ(run_python(script("verify_pth.py") + pairs, log), 0) << log;
  EXPECT_NE(log.find("ok"), std::string::npos) << log;
}

}  // namespace
}  // namespace counterscope::modeling
