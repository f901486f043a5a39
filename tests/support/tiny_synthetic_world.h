#pragma once
// The tiny synthetic world that the training and augmentation tests share: a generated LVIS-format world of
// 64×64 images and the "tiny" Mask R-CNN preset shrunk to that image size. Why these sizes: the world's
// defaults (2,000 images of 256 px) and the preset's (800 px input, 2,000 proposals) take minutes on the 2 CI
// cores; 64 px images, a few dozen of them and at most 64 proposals per image keep a training step and a
// world generation to seconds, while the jobs under test (training, evaluation, augmentation) still run their
// real code on real generated instances.
// Torch-free (the world generator and the model config headers pull no LibTorch): usable from GoogleTest and
// QtTest files alike. Link counterscope_synthetic and counterscope_modeling (both in counterscope_core).

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/data/synthetic/world_generator.h"
#include "core/modeling/model_config.h"
#include "core/util/error.h"

namespace counterscope::testing {

/// The image counts of a tiny world; everything else (size, seed, categories) is fixed.
struct TinyWorldOptions {
  /// Enough for a few batches and for the augmentation plan to find categories in need; raise it only where
  /// a test needs more images (the responsiveness test scrolls 120 thumbnails).
  int train_images = 40;
  /// Val images; the world puts every category in at least one of them where the split allows it.
  int val_images = 12;
};

/// Where a tiny world's files are.
struct TinyWorldPaths {
  std::filesystem::path dir;                ///< the world's folder
  std::filesystem::path train_annotations;  ///< dir/annotations/train.json
  std::filesystem::path val_annotations;    ///< dir/annotations/val.json
  std::filesystem::path image_root;         ///< dir/images (train2017/ and val2017/ inside)
};

/// Generates a world of 64×64 images into `dir` (created if needed) with the world's default seed, on one
/// thread (the output does not depend on the thread count; one thread leaves the other core to the rest of
/// the suite). Deterministic: the same options give the same files.
inline TinyWorldPaths write_tiny_world(const std::filesystem::path& dir, const TinyWorldOptions& options = {}) {
  data::synthetic::WorldOptions world;
  world.train_images = options.train_images;
  world.val_images = options.val_images;
  world.width = world.height = 64;
  world.val_min_images_per_category = 1;
  data::synthetic::generate_world(world, dir.string(), 1);
  TinyWorldPaths paths;
  paths.dir = dir;
  paths.train_annotations = dir / "annotations" / "train.json";
  paths.val_annotations = dir / "annotations" / "val.json";
  paths.image_root = dir / "images";
  return paths;
}

/// The "tiny" preset for 64×64 images: no up-scaling (min and max size 64) and proposal and RoI sample counts
/// cut to what a 64 px image holds, which is what makes a training step fast on a CPU.
inline modeling::ModelConfig tiny_64px_model_config() {
  modeling::ModelConfig config = modeling::load_model_config("tiny");
  config.transform.min_size = {64};
  config.transform.max_size = 64;
  config.rpn.pre_nms_top_n_train = config.rpn.post_nms_top_n_train = 64;
  config.rpn.pre_nms_top_n_test = config.rpn.post_nms_top_n_test = 32;
  config.roi.batch_size_per_image = 32;
  return config;
}

/// Writes tiny_64px_model_config() as JSON to `path` (a model.json the jobs load). Throws Error when the file
/// cannot be written, so that a test fails here rather than later on a missing model.
inline void write_tiny_64px_model_config(const std::filesystem::path& path) {
  std::ofstream out(path);
  out << tiny_64px_model_config().to_json().dump(2);
  out.close();
  if (!out) throw Error(path.string() + ": could not write the tiny model config");
}

}  // namespace counterscope::testing
