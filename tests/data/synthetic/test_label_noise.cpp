// Planted label errors: without noise a world's files are those the generator wrote before label noise existed
// (pinned hashes) and those of the noise-free call (byte for byte); with noise, exactly the requested share of
// annotations is corrupted as recorded in label-noise.json, the images stay the same, and the record names the
// split it belongs to.

#include "core/data/synthetic/label_noise.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <unordered_map>

#include <gtest/gtest.h>

#include "core/data/lvis/lvis_loader.h"
#include "core/data/mask/mask_api.h"
#include "core/data/synthetic/world_generator.h"
#include "core/util/error.h"
#include "tests/test_paths.h"

namespace counterscope::data::synthetic {
namespace {
namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  const fs::path path = fs::path(COUNTERSCOPE_TEST_TMP_DIR) / "test_label_noise" / name;
  fs::remove_all(path);
  return path;
}

// The tiny world of tests/support/tiny_synthetic_world.h (default seed, 40 + 12 images of 64 px).
WorldOptions tiny_options() {
  WorldOptions options;
  options.train_images = 40;
  options.val_images = 12;
  options.width = options.height = 64;
  options.val_min_images_per_category = 1;
  return options;
}

std::string read(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

std::map<std::string, std::string> read_tree(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) files[fs::relative(entry.path(), root).string()] = read(entry.path());
  }
  return files;
}

std::uint64_t fnv1a(const std::string& bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (const unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

const fs::path& clean_world() {
  static const fs::path dir = [] {
    const fs::path path = scratch("clean");
    generate_world(tiny_options(), path.string(), 1);
    return path;
  }();
  return dir;
}

TEST(LabelNoise, CleanWorldIsTheGeneratorsOutputBeforeLabelNoise) {
  // FNV-1a 64 of the files written by the generator at commit c9f4fb0 (before label noise), on Debian 12
  // (GCC 12, OpenCV 4.6, x86-64): the synthetic world is byte-identical only for one platform (random.h).
  const auto& dir = clean_world();
  EXPECT_EQ(fnv1a(read(dir / "annotations" / "train.json")), 0x90c8a6530c13bbcaull);
  EXPECT_EQ(fnv1a(read(dir / "annotations" / "val.json")), 0x1c037720c9f8ff39ull);
  EXPECT_EQ(fnv1a(read(dir / "world.json")), 0x7af95dfe3f92914aull);
  std::string images;
  for (const auto& [name, bytes] : read_tree(dir / "images")) images += "images/" + name + bytes;
  EXPECT_EQ(fnv1a(images), 0xb89220cfed2d49c3ull);
  EXPECT_FALSE(fs::exists(label_noise_path(dir.string())));
}

TEST(LabelNoise, ShareZeroWritesTheSameFiles) {
  const fs::path dir = scratch("zero");
  generate_world(tiny_options(), LabelNoiseOptions{}, dir.string(), 1);
  EXPECT_EQ(read_tree(dir), read_tree(clean_world()));
}

TEST(LabelNoise, PlantsTheRecordedErrors) {
  const fs::path dir = scratch("noisy");
  LabelNoiseOptions noise;
  noise.share = 0.2;
  const auto summary = generate_world(tiny_options(), noise, dir.string(), 1);
  const auto clean_files = read_tree(clean_world() / "images");
  EXPECT_EQ(read_tree(dir / "images"), clean_files);  // pixels untouched
  const auto record = load_label_noise(label_noise_path(dir.string()));
  EXPECT_DOUBLE_EQ(record.share, 0.2);
  ASSERT_EQ(record.splits.size(), 2u);
  EXPECT_EQ(summary.train_planted_errors, static_cast<std::int64_t>(record.splits[0].errors.size()));

  for (const auto& split : record.splits) {
    const auto clean = load_dataset((clean_world() / "annotations" / (std::string(split_name(split.split)) + ".json")).string());
    const auto noisy = load_dataset((dir / "annotations" / (std::string(split_name(split.split)) + ".json")).string());
    EXPECT_EQ(split.annotations, static_cast<std::int64_t>(clean.annotations.size()));
    EXPECT_EQ(split.errors.size(), static_cast<std::size_t>(std::llround(0.2 * static_cast<double>(clean.annotations.size()))));
    std::unordered_map<std::int64_t, const Annotation*> clean_by_id, noisy_by_id;
    for (const auto& a : clean.annotations) clean_by_id[a.id] = &a;
    for (const auto& a : noisy.annotations) noisy_by_id[a.id] = &a;
    std::map<PlantedKind, int> kinds;
    std::size_t touched = 0;
    for (const auto& e : split.errors) {
      ++kinds[e.kind];
      const Annotation& truth = *clean_by_id.at(e.annotation_id);
      EXPECT_EQ(truth.category_id, e.category_id);
      EXPECT_EQ(truth.bbox.x, e.box.x);
      const auto& image = noisy.images[*noisy.image_index(e.image_id)];
      if (e.kind == PlantedKind::drop) {
        EXPECT_EQ(noisy_by_id.count(e.annotation_id), 0u);
        // Another annotation of the category stays, and the category is exhaustive in the image.
        bool sibling = false;
        for (const auto a : noisy.annotations_of_image(*noisy.image_index(e.image_id)))
          sibling = sibling || noisy.annotations[a].category_id == e.category_id;
        EXPECT_TRUE(sibling) << e.annotation_id;
        continue;
      }
      const Annotation& now = *noisy_by_id.at(e.annotation_id);
      EXPECT_EQ(now.category_id, e.new_category_id);
      if (e.kind == PlantedKind::swap) {
        EXPECT_NE(e.new_category_id, e.category_id);
        EXPECT_EQ(std::count(image.neg_category_ids.begin(), image.neg_category_ids.end(), e.new_category_id), 0);
        EXPECT_EQ(now.bbox.x, truth.bbox.x);
      } else {
        const double iou = box_iou(now.bbox, truth.bbox, false);
        EXPECT_GT(iou, 0.1) << e.annotation_id;
        EXPECT_LT(iou, 0.45) << e.annotation_id;
        EXPECT_GE(now.bbox.x, 0);
        EXPECT_LE(now.bbox.x + now.bbox.w, image.width);
        // The polygons moved with the box: the mask's box is the new box.
        EXPECT_EQ(rle_to_box(noisy.mask_of(now)).x, rle_to_box(clean.mask_of(truth)).x + (now.bbox.x - truth.bbox.x));
        EXPECT_DOUBLE_EQ(now.area, truth.area);
      }
    }
    for (const auto& a : noisy.annotations) {
      const Annotation& c = *clean_by_id.at(a.id);
      touched += (c.category_id != a.category_id || c.bbox.x != a.bbox.x || c.bbox.y != a.bbox.y) ? 1 : 0;
    }
    EXPECT_EQ(touched + static_cast<std::size_t>(kinds[PlantedKind::drop]), split.errors.size());
    EXPECT_GT(kinds[PlantedKind::swap], 0);
    EXPECT_GT(kinds[PlantedKind::shift], 0);
    EXPECT_EQ(split_of_dataset(record, noisy), split.split);
    EXPECT_FALSE(split_of_dataset(record, clean).has_value());
  }
  // The same share plants the same errors.
  const fs::path again = scratch("again");
  generate_world(tiny_options(), noise, again.string(), 1);
  EXPECT_EQ(read(label_noise_path(again.string())), read(label_noise_path(dir.string())));
  EXPECT_EQ(read(again / "annotations" / "train.json"), read(dir / "annotations" / "train.json"));
}

TEST(LabelNoise, BadShareAndBadFiles) {
  LabelNoiseOptions noise;
  noise.share = 1.5;
  EXPECT_THROW(generate_world(tiny_options(), noise, scratch("bad").string(), 1), InputError);
  EXPECT_THROW(load_label_noise(scratch("missing").string() + "/label-noise.json"), InputError);
  const fs::path dir = scratch("malformed");
  fs::create_directories(dir);
  std::ofstream(dir / "label-noise.json") << R"({"splits": {"train": {"errors": [{"kind": "melt"}]}}})";
  EXPECT_THROW(load_label_noise((dir / "label-noise.json").string()), InputError);
  std::ofstream(dir / "other.json") << R"({"splits": {"test": {"errors": []}}})";
  EXPECT_THROW(load_label_noise((dir / "other.json").string()), InputError);
}

}  // namespace
}  // namespace counterscope::data::synthetic
