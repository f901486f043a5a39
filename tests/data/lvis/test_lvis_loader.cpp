// load_dataset on the real LVIS v0.5 annotations of shared/refs (figures from Python's json on the same
// file), masks against pycocotools' outputs on the same polygons, format detection, batching across buffer
// refills, progress and cancellation.

#include <atomic>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/data/lvis/dataset.h"
#include "core/data/lvis/lvis_loader.h"
#include "core/data/mask/mask_api.h"
#include "tests/data/lvis/lvis_fixtures.h"

namespace counterscope::data {
namespace {

using testing::input_error_of;
using testing::lvis_v05_100_path;
using testing::minimal_lvis_v1;
using testing::scratch_dir;
using testing::write_text;

const Dataset& real_dataset() {
  static const Dataset dataset = load_dataset(lvis_v05_100_path());
  return dataset;
}

TEST(LvisLoader, RealV05FileCounts) {
  const Dataset& dataset = real_dataset();
  EXPECT_EQ(dataset.format, DatasetFormat::lvis_v05);
  EXPECT_EQ(dataset.source_path, lvis_v05_100_path());
  EXPECT_EQ(dataset.images.size(), 100u);
  EXPECT_EQ(dataset.annotations.size(), 977u);
  EXPECT_EQ(dataset.categories.size(), 1230u);
  std::map<Frequency, int> groups;
  for (const Category& category : dataset.categories) ++groups[category.frequency];
  EXPECT_EQ(groups[Frequency::rare], 454);
  EXPECT_EQ(groups[Frequency::common], 461);
  EXPECT_EQ(groups[Frequency::frequent], 315);
  EXPECT_EQ(groups[Frequency::unknown], 0);
  // Python: 1135 polygons, 66494 coordinates summing (in file order) to 18144706.709999908.
  EXPECT_EQ(dataset.polygon_offsets.size(), 1136u);
  EXPECT_EQ(dataset.polygon_coordinates.size(), 66494u);
  double sum = 0;
  for (double x : dataset.polygon_coordinates) sum += x;
  EXPECT_DOUBLE_EQ(sum, 18144706.709999908);
  EXPECT_TRUE(dataset.rles.empty());
}

TEST(LvisLoader, RealV05FileFields) {
  const Dataset& dataset = real_dataset();
  const Category& acorn = dataset.categories[0];
  EXPECT_EQ(acorn.id, 1);
  EXPECT_EQ(acorn.name, "acorn");
  EXPECT_EQ(acorn.synonyms, std::vector<std::string>{"acorn"});
  EXPECT_EQ(acorn.definition, "nut from an oak tree");
  EXPECT_EQ(acorn.synset, "acorn.n.01");
  EXPECT_EQ(acorn.frequency, Frequency::rare);
  EXPECT_EQ(acorn.image_count, 0);
  EXPECT_EQ(acorn.instance_count, 0);
  const Category& jersey = dataset.categories[*dataset.category_index(606)];
  EXPECT_EQ(jersey.name, "jersey");
  EXPECT_EQ(jersey.synonyms, (std::vector<std::string>{"jersey", "T-shirt", "tee_shirt"}));
  EXPECT_EQ(jersey.frequency, Frequency::frequent);
  EXPECT_EQ(jersey.image_count, 1);
  EXPECT_EQ(jersey.instance_count, 4);

  const ImageInfo& image = dataset.images[*dataset.image_index(266409)];
  EXPECT_EQ(image.width, 640);
  EXPECT_EQ(image.height, 480);
  EXPECT_EQ(image.file_name, "COCO_val2014_000000266409.jpg");
  EXPECT_EQ(image.coco_url, "http://images.cocodataset.org/val2017/000000266409.jpg");
  EXPECT_EQ(image.neg_category_ids, (std::vector<std::int64_t>{284, 53, 754, 299, 654, 541, 566}));
  EXPECT_TRUE(image.not_exhaustive_category_ids.empty());
  EXPECT_EQ(dataset.images[*dataset.image_index(196141)].not_exhaustive_category_ids, std::vector<std::int64_t>{89});

  const Annotation& annotation = dataset.annotations[12];
  EXPECT_EQ(annotation.id, 13);
  EXPECT_EQ(annotation.image_id, 369757);
  EXPECT_EQ(annotation.category_id, 832);
  EXPECT_EQ(annotation.bbox, (BoxXywh{451.96, 152.18, 188.04, 108.76}));
  EXPECT_DOUBLE_EQ(annotation.area, 8195.85);
  EXPECT_FALSE(annotation.iscrowd);
  EXPECT_EQ(annotation.segmentation.polygon_count, 1u);
  EXPECT_EQ(annotation.segmentation.rle_index, -1);
  const auto polygons = dataset.polygons_of(annotation);
  ASSERT_EQ(polygons.size(), 1u);
  ASSERT_EQ(polygons[0].size(), 66u);
  EXPECT_DOUBLE_EQ(polygons[0][0], 579.15);
  EXPECT_DOUBLE_EQ(polygons[0][1], 153.16);
  EXPECT_DOUBLE_EQ(polygons[0][14], 640.0);
}

TEST(LvisLoader, IndexesByImageAndCategory) {
  const Dataset& dataset = real_dataset();
  ASSERT_TRUE(dataset.has_indexes());
  const std::size_t image = *dataset.image_index(196141);
  const auto& annotations = dataset.annotations_of_image(image);
  ASSERT_EQ(annotations.size(), 13u);
  for (std::size_t k = 0; k < annotations.size(); ++k) {
    EXPECT_EQ(dataset.annotations[annotations[k]].id, static_cast<std::int64_t>(512 + k));
  }
  std::size_t total = 0;
  for (std::size_t i = 0; i < dataset.images.size(); ++i) total += dataset.annotations_of_image(i).size();
  EXPECT_EQ(total, 977u);
  const auto& jersey_images = dataset.images_of_category(*dataset.category_index(606));
  EXPECT_TRUE(std::find(jersey_images.begin(), jersey_images.end(), image) != jersey_images.end());
  EXPECT_TRUE(std::is_sorted(jersey_images.begin(), jersey_images.end()));
  EXPECT_TRUE(dataset.images_of_category(0).empty());  // acorn has no instance here
  EXPECT_FALSE(dataset.image_index(1).has_value());
  EXPECT_FALSE(dataset.category_index(99999).has_value());
  EXPECT_THROW(dataset.annotations_of_image(100), Error);
}

// pycocotools' frPyObjects + merge on 120 polygon sets of this file (shared/refs/coco_mask).
TEST(LvisLoader, MasksMatchPycocotools) {
  const Dataset& dataset = real_dataset();
  std::map<std::vector<std::vector<double>>, std::size_t> by_polygons;
  for (std::size_t a = 0; a < dataset.annotations.size(); ++a) {
    by_polygons[dataset.polygons_of(dataset.annotations[a])] = a;
  }
  std::ifstream file(std::string(COUNTERSCOPE_REFS_DIR) + "/coco_mask/mask_api_1.json");
  const nlohmann::json reference = nlohmann::json::parse(file);
  int checked = 0;
  for (const nlohmann::json& entry : reference.at("polygon_cases")) {
    const auto polygons = entry.at("polygons").get<std::vector<std::vector<double>>>();
    const auto found = by_polygons.find(polygons);
    if (found == by_polygons.end()) continue;
    const Annotation& annotation = dataset.annotations[found->second];
    const ImageInfo& image = dataset.images[*dataset.image_index(annotation.image_id)];
    ASSERT_EQ(entry.at("h").get<int>(), image.height);
    ASSERT_EQ(entry.at("w").get<int>(), image.width);
    const Rle mask = dataset.mask_of(annotation);
    EXPECT_EQ(rle_to_string(mask), entry.at("rle").get<std::string>()) << "annotation " << annotation.id;
    EXPECT_EQ(rle_area(mask), entry.at("area").get<std::uint64_t>());
    ++checked;
  }
  EXPECT_EQ(checked, 120);
}

TEST(LvisLoader, DetectsLvisV1AndKeepsUtf8) {
  const std::string dir = scratch_dir("detect_v1");
  const Dataset dataset = load_dataset(write_text(dir, "v1.json", minimal_lvis_v1().dump()));
  EXPECT_EQ(dataset.format, DatasetFormat::lvis_v1);
  ASSERT_EQ(dataset.categories.size(), 3u);
  EXPECT_EQ(dataset.categories[1].name, "crème brûlée");
  EXPECT_EQ(dataset.categories[1].frequency, Frequency::common);
  EXPECT_EQ(dataset.images[1].not_exhaustive_category_ids, std::vector<std::int64_t>{1});
  EXPECT_EQ(dataset.annotations[1].segmentation.polygon_count, 2u);
  EXPECT_EQ(dataset.annotations[2].segmentation.first_polygon, 3u);
  EXPECT_TRUE(dataset.images[0].file_name.empty());
}

TEST(LvisLoader, DetectsCocoWithRleAndEscapes) {
  nlohmann::json doc;
  doc["images"] = {{{"id", 5}, {"width", 4}, {"height", 3}, {"file_name", "000000000005.jpg"}}};
  doc["categories"] = {{{"id", 1}, {"name", "say \"hi\"\tnow"}, {"supercategory", "x"}},
                       {{"id", 2}, {"name", "plain"}}};
  doc["annotations"] = {
      {{"id", 1}, {"image_id", 5}, {"category_id", 1}, {"iscrowd", 1},
       {"segmentation", {{"size", {3, 4}}, {"counts", {2, 3, 7}}}}, {"area", 3}, {"bbox", {0, 0, 2, 3}}},
      {{"id", 2}, {"image_id", 5}, {"category_id", 2}, {"iscrowd", false},
       {"segmentation", {{"size", {3, 4}}, {"counts", rle_to_string(Rle{3, 4, {2, 3, 7}})}}}, {"area", 3},
       {"bbox", {0, 0, 2, 3}}, {"num_keypoints", 0}}};
  const std::string dir = scratch_dir("detect_coco");
  const Dataset dataset = load_dataset(write_text(dir, "coco.json", doc.dump(2)));
  EXPECT_EQ(dataset.format, DatasetFormat::coco);
  EXPECT_EQ(dataset.categories[0].name, "say \"hi\"\tnow");
  EXPECT_EQ(dataset.categories[0].frequency, Frequency::unknown);
  ASSERT_EQ(dataset.rles.size(), 2u);
  EXPECT_TRUE(dataset.annotations[0].iscrowd);
  EXPECT_FALSE(dataset.annotations[1].iscrowd);
  EXPECT_EQ(dataset.mask_of(dataset.annotations[0]), (Rle{3, 4, {2, 3, 7}}));
  EXPECT_EQ(dataset.mask_of(dataset.annotations[1]), (Rle{3, 4, {2, 3, 7}}));
  EXPECT_TRUE(dataset.images[0].neg_category_ids.empty());
}

// Thousands of annotations, pretty-printed, so that batches are cut, the buffer is refilled and one huge
// element forces it to grow; every coordinate must come back.
TEST(LvisLoader, LargeFileAcrossBatchesAndRefills) {
  nlohmann::json doc = minimal_lvis_v1();
  doc["annotations"] = nlohmann::json::array();
  std::mt19937_64 random(7);
  std::vector<double> expected;
  for (int a = 0; a < 3000; ++a) {
    // One annotation of 700,000 coordinates (about 6 MB, more than the reader's initial buffer).
    const int count = a == 1500 ? 700000 : 6 + 2 * static_cast<int>(random() % 100);
    std::vector<double> polygon;
    for (int k = 0; k < count; ++k) polygon.push_back(static_cast<double>(random() % 6400) / 100.0);
    expected.insert(expected.end(), polygon.begin(), polygon.end());
    doc["annotations"].push_back({{"id", a + 1}, {"image_id", 10}, {"category_id", 3}, {"segmentation", {polygon}},
                                  {"area", 1.0}, {"bbox", {0, 0, 1, 1}}, {"note", "[{,}] \\\" text"}});
  }
  const std::string dir = scratch_dir("large");
  const Dataset dataset = load_dataset(write_text(dir, "large.json", doc.dump(1)));
  ASSERT_EQ(dataset.annotations.size(), 3000u);
  EXPECT_EQ(dataset.annotations.back().id, 3000);
  EXPECT_EQ(dataset.polygon_coordinates, expected);
  EXPECT_EQ(dataset.polygon_size(1500), 700000u);
}

// Coordinates of every shape (short decimals, 17 significant digits, exponents, negative zero, integers)
// come back bit for bit: the fast path must round exactly like a correct parser.
TEST(LvisLoader, CoordinatesParseExactly) {
  std::mt19937_64 random(11);
  std::uniform_real_distribution<double> wide(-1e4, 1e4);
  std::vector<double> values = {0.0, -0.0, 1.0, 640.0, 0.1, 0.05, 123.45, 999999999999999.0, 1e-7, 2.5e-300,
                                1.7976931348623157e308, 9007199254740993.0, 0.30000000000000004};
  for (int k = 0; k < 30000; ++k) {
    const double x = wide(random);
    switch (k % 4) {
      case 0: values.push_back(std::round(x * 100) / 100); break;  // LVIS-like
      case 1: values.push_back(x); break;                          // 17 significant digits
      case 2: values.push_back(x * 1e-9); break;                   // written with an exponent
      default: values.push_back(std::round(x)); break;
    }
  }
  if (values.size() % 2 != 0) values.push_back(1.0);
  nlohmann::json doc = minimal_lvis_v1();
  doc["annotations"][0]["segmentation"] = {values};
  const std::string dir = scratch_dir("exact");
  const Dataset dataset = load_dataset(write_text(dir, "exact.json", doc.dump()));
  const auto polygons = dataset.polygons_of(dataset.annotations[0]);
  ASSERT_EQ(polygons.size(), 1u);
  ASSERT_EQ(polygons[0].size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(std::signbit(polygons[0][i]), std::signbit(values[i])) << i;
    ASSERT_EQ(polygons[0][i], values[i]) << i << ": " << nlohmann::json(values[i]).dump();
  }
  // Hand-written forms that nlohmann never writes.
  doc["annotations"][0]["segmentation"] = nlohmann::json::array();
  std::string text = doc.dump();
  text.replace(text.find("\"segmentation\":[]"), 17, "\"segmentation\":[[ 1E2 , 2.50e-1,\n-3 ,4.0E+1, 0.000001 ,6 ]]");
  const Dataset written = load_dataset(write_text(dir, "forms.json", text));
  EXPECT_EQ(written.polygons_of(written.annotations[0])[0], (std::vector<double>{100, 0.25, -3, 40, 0.000001, 6}));
}

TEST(LvisLoader, ReportsProgressAndCancels) {
  std::vector<Progress> reports;
  JobContext context;
  context.on_progress = [&](const Progress& progress) { reports.push_back(progress); };
  load_dataset(lvis_v05_100_path(), context);
  ASSERT_FALSE(reports.empty());
  bool read_completed = false;
  for (const Progress& progress : reports) {
    if (progress.stage == "read annotations" && progress.done == progress.total && progress.total == 955176) {
      read_completed = true;
    }
  }
  EXPECT_TRUE(read_completed);

  std::atomic<bool> cancel{true};
  JobContext cancelled;
  cancelled.cancel = &cancel;
  EXPECT_THROW(load_dataset(lvis_v05_100_path(), cancelled), Cancelled);
}

TEST(LvisLoader, EmptyArraysAndNoAnnotationsKey) {
  const std::string dir = scratch_dir("empty");
  const Dataset empty = load_dataset(write_text(dir, "empty.json", R"({"images": [], "categories": [], "annotations": []})"));
  EXPECT_TRUE(empty.images.empty());
  EXPECT_EQ(empty.format, DatasetFormat::coco);
  nlohmann::json doc = minimal_lvis_v1();
  doc.erase("annotations");  // image-info files (LVIS test sets) have none
  const Dataset info_only = load_dataset(write_text(dir, "info.json", doc.dump()));
  EXPECT_EQ(info_only.images.size(), 2u);
  EXPECT_TRUE(info_only.annotations.empty());
  EXPECT_TRUE(info_only.annotations_of_image(0).empty());
}

}  // namespace
}  // namespace counterscope::data
