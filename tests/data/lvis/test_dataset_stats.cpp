// The dataset table (categories, images, instances per frequency group) on the real LVIS v0.5 file,
// figures counted with Python's json on the same file.

#include <string>

#include <gtest/gtest.h>

#include "core/data/lvis/dataset_stats.h"
#include "core/data/lvis/lvis_loader.h"
#include "tests/data/lvis/lvis_fixtures.h"

namespace counterscope::data {
namespace {

TEST(DatasetStats, RealV05File) {
  const Dataset dataset = load_dataset(testing::lvis_v05_100_path());
  const DatasetStats stats = compute_dataset_stats(dataset);
  EXPECT_EQ(stats.format, DatasetFormat::lvis_v05);
  EXPECT_EQ(stats.group(Frequency::rare).categories, 454);
  EXPECT_EQ(stats.group(Frequency::rare).images, 1);
  EXPECT_EQ(stats.group(Frequency::rare).instances, 1);
  EXPECT_EQ(stats.group(Frequency::common).categories, 461);
  EXPECT_EQ(stats.group(Frequency::common).images, 24);
  EXPECT_EQ(stats.group(Frequency::common).instances, 100);
  EXPECT_EQ(stats.group(Frequency::frequent).categories, 315);
  EXPECT_EQ(stats.group(Frequency::frequent).images, 87);
  EXPECT_EQ(stats.group(Frequency::frequent).instances, 876);
  EXPECT_EQ(stats.group(Frequency::unknown).categories, 0);
  EXPECT_EQ(stats.total.categories, 1230);
  EXPECT_EQ(stats.total.images, 100);
  EXPECT_EQ(stats.total.instances, 977);
  EXPECT_EQ(stats.images_without_annotations, 7);      // 93 images carry annotations
  EXPECT_EQ(stats.categories_without_instances, 1040);  // 190 categories are used

  const nlohmann::json json = to_json(stats);
  EXPECT_EQ(json["format"], "lvis_v05");
  EXPECT_EQ(json["groups"]["common"]["instances"], 100);
  EXPECT_EQ(json["total"]["images"], 100);
  EXPECT_FALSE(json["groups"].contains("unknown"));

  const std::string table = format_stats_table(stats);
  EXPECT_NE(table.find("rare"), std::string::npos);
  EXPECT_NE(table.find("1230"), std::string::npos);
  EXPECT_EQ(table.find("unknown"), std::string::npos);
}

TEST(DatasetStats, CocoHasOneUnknownGroup) {
  const std::string dir = testing::scratch_dir("stats_coco");
  const Dataset dataset = load_dataset(testing::write_text(
      dir, "coco.json",
      R"({"images": [{"id": 1, "width": 4, "height": 4, "file_name": "a.jpg"}, {"id": 2, "width": 4, "height": 4, "file_name": "b.jpg"}],
          "categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}],
          "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "area": 1, "bbox": [0, 0, 1, 1], "segmentation": [[0, 0, 1, 0, 1, 1]]},
                          {"id": 2, "image_id": 1, "category_id": 1, "area": 1, "bbox": [0, 0, 1, 1], "segmentation": [[0, 0, 1, 0, 1, 1]]}]})"));
  const DatasetStats stats = compute_dataset_stats(dataset);
  EXPECT_EQ(stats.format, DatasetFormat::coco);
  EXPECT_EQ(stats.group(Frequency::unknown).categories, 2);
  EXPECT_EQ(stats.group(Frequency::unknown).images, 1);
  EXPECT_EQ(stats.group(Frequency::unknown).instances, 2);
  EXPECT_EQ(stats.images_without_annotations, 1);
  EXPECT_EQ(stats.categories_without_instances, 1);
  EXPECT_NE(format_stats_table(stats).find("unknown"), std::string::npos);
  Dataset unindexed;
  EXPECT_THROW(compute_dataset_stats(unindexed), Error);
}

}  // namespace
}  // namespace counterscope::data
