// write_dataset -> load_dataset gives back the same dataset (real LVIS v0.5, LVIS v1, COCO with RLE), and
// the write is atomic.

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/data/lvis/lvis_loader.h"
#include "core/data/lvis/lvis_writer.h"
#include "core/data/mask/mask_api.h"
#include "tests/data/lvis/lvis_fixtures.h"

namespace counterscope::data {
namespace {

using testing::lvis_v05_100_path;
using testing::minimal_lvis_v1;
using testing::scratch_dir;
using testing::write_text;

void expect_same(const Dataset& a, const Dataset& b) {
  EXPECT_EQ(a.format, b.format);
  ASSERT_EQ(a.images.size(), b.images.size());
  for (std::size_t i = 0; i < a.images.size(); ++i) {
    const ImageInfo& x = a.images[i];
    const ImageInfo& y = b.images[i];
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.width, y.width);
    EXPECT_EQ(x.height, y.height);
    EXPECT_EQ(x.file_name, y.file_name);
    EXPECT_EQ(x.coco_url, y.coco_url);
    EXPECT_EQ(x.neg_category_ids, y.neg_category_ids);
    EXPECT_EQ(x.not_exhaustive_category_ids, y.not_exhaustive_category_ids);
  }
  ASSERT_EQ(a.categories.size(), b.categories.size());
  for (std::size_t c = 0; c < a.categories.size(); ++c) {
    const Category& x = a.categories[c];
    const Category& y = b.categories[c];
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.synonyms, y.synonyms);
    EXPECT_EQ(x.definition, y.definition);
    EXPECT_EQ(x.synset, y.synset);
    EXPECT_EQ(x.frequency, y.frequency);
    EXPECT_EQ(x.image_count, y.image_count);
    EXPECT_EQ(x.instance_count, y.instance_count);
  }
  ASSERT_EQ(a.annotations.size(), b.annotations.size());
  for (std::size_t k = 0; k < a.annotations.size(); ++k) {
    const Annotation& x = a.annotations[k];
    const Annotation& y = b.annotations[k];
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.image_id, y.image_id);
    EXPECT_EQ(x.category_id, y.category_id);
    EXPECT_EQ(x.bbox, y.bbox);
    EXPECT_EQ(x.area, y.area);
    EXPECT_EQ(x.iscrowd, y.iscrowd);
    EXPECT_EQ(a.polygons_of(x), b.polygons_of(y));
    EXPECT_EQ(x.segmentation.rle_index >= 0, y.segmentation.rle_index >= 0);
    if (x.segmentation.rle_index >= 0 && y.segmentation.rle_index >= 0) {
      EXPECT_EQ(a.mask_of(x), b.mask_of(y));
    }
  }
  EXPECT_EQ(a.polygon_coordinates, b.polygon_coordinates);
  EXPECT_EQ(a.polygon_offsets, b.polygon_offsets);
}

TEST(LvisWriter, RoundTripRealV05) {
  const Dataset original = load_dataset(lvis_v05_100_path());
  const std::string path = scratch_dir("round_trip_v05") + "/written.json";
  write_dataset(original, path);
  const Dataset reloaded = load_dataset(path);
  expect_same(original, reloaded);
  // The written file is plain JSON for any other tool.
  std::ifstream file(path);
  const nlohmann::json doc = nlohmann::json::parse(file);
  EXPECT_EQ(doc.at("annotations").size(), 977u);
  EXPECT_EQ(doc.at("categories").at(0).at("frequency"), "r");
  EXPECT_EQ(doc.at("images").at(0).at("file_name"), "COCO_val2014_000000266409.jpg");
}

TEST(LvisWriter, RoundTripV1AndProgrammatic) {
  const std::string dir = scratch_dir("round_trip_v1");
  const Dataset original = load_dataset(write_text(dir, "v1.json", minimal_lvis_v1().dump()));
  write_dataset(original, dir + "/written.json");
  expect_same(original, load_dataset(dir + "/written.json"));

  // A dataset built in code (as the synthetic world does) with an RLE mask.
  Dataset built;
  built.format = DatasetFormat::lvis_v1;
  built.images.push_back(ImageInfo{7, 4, 3, "", "http://x/val2017/000000000007.jpg", {}, {}});
  built.categories.push_back(Category{1, "snow", {"snow"}, "frozen water", "", Frequency::rare, 1, 1});
  Annotation annotation;
  annotation.id = 1;
  annotation.image_id = 7;
  annotation.category_id = 1;
  annotation.bbox = {0, 0, 2, 3};
  annotation.area = 6;
  annotation.iscrowd = true;
  annotation.segmentation.rle_index = 0;
  built.annotations.push_back(annotation);
  built.rles.push_back(Rle{3, 4, {0, 6, 6}});
  built.build_indexes();
  write_dataset(built, dir + "/built.json");
  const Dataset reloaded = load_dataset(dir + "/built.json");
  expect_same(built, reloaded);
  EXPECT_EQ(reloaded.mask_of(reloaded.annotations[0]), (Rle{3, 4, {0, 6, 6}}));
}

TEST(LvisWriter, RoundTripCoco) {
  nlohmann::json doc;
  doc["images"] = {{{"id", 5}, {"width", 4}, {"height", 3}, {"file_name", "val2017/000000000005.jpg"}}};
  doc["categories"] = {{{"id", 1}, {"name", "person"}}};
  doc["annotations"] = {{{"id", 1}, {"image_id", 5}, {"category_id", 1}, {"iscrowd", 1},
                         {"segmentation", {{"size", {3, 4}}, {"counts", {2, 3, 7}}}}, {"area", 3},
                         {"bbox", {0, 0, 2, 3}}},
                        {{"id", 2}, {"image_id", 5}, {"category_id", 1}, {"iscrowd", 0},
                         {"segmentation", {{0.5, 0.5, 3.0, 0.5, 3.0, 2.0}}}, {"area", 1.875},
                         {"bbox", {0.5, 0.5, 2.5, 1.5}}}};
  const std::string dir = scratch_dir("round_trip_coco");
  const Dataset original = load_dataset(write_text(dir, "coco.json", doc.dump()));
  write_dataset(original, dir + "/written.json");
  const Dataset reloaded = load_dataset(dir + "/written.json");
  expect_same(original, reloaded);
  std::ifstream file(dir + "/written.json");
  const nlohmann::json written = nlohmann::json::parse(file);
  // Uncompressed counts are written as the compressed string; COCO keeps iscrowd on every annotation.
  EXPECT_EQ(written["annotations"][0]["segmentation"]["counts"], rle_to_string(Rle{3, 4, {2, 3, 7}}));
  EXPECT_EQ(written["annotations"][1]["iscrowd"], 0);
  EXPECT_FALSE(written["categories"][0].contains("frequency"));
}

TEST(LvisWriter, AtomicWrite) {
  const std::string dir = scratch_dir("atomic");
  const Dataset dataset = load_dataset(write_text(dir, "v1.json", minimal_lvis_v1().dump()));
  // Overwriting replaces the old file whole and leaves no temporary file behind.
  const std::string path = write_text(dir, "target.json", "old content");
  write_dataset(dataset, path);
  EXPECT_EQ(load_dataset(path).annotations.size(), 3u);
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 2);
  // A folder that does not exist: an Error, and nothing written.
  EXPECT_THROW(write_dataset(dataset, dir + "/missing/out.json"), Error);
  EXPECT_FALSE(std::filesystem::exists(dir + "/missing"));
  // A failing write (annotation without segmentation) leaves the previous file intact.
  Dataset broken = dataset;
  broken.annotations[1].segmentation = SegmentationRef{};
  EXPECT_THROW(write_dataset(broken, path), Error);
  EXPECT_EQ(load_dataset(path).annotations.size(), 3u);
  files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 2);
}

}  // namespace
}  // namespace counterscope::data
