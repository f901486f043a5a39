// Results files (LVIS/COCO format): the reference detections of shared/refs, write -> read round trips, and
// every bad-input path.

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/data/lvis/lvis_loader.h"
#include "core/data/lvis/results_io.h"
#include "core/data/mask/mask_api.h"
#include "tests/data/lvis/lvis_fixtures.h"

namespace counterscope::data {
namespace {

using nlohmann::json;
using testing::input_error_of;
using testing::lvis_v05_100_path;
using testing::scratch_dir;
using testing::write_text;

#define EXPECT_CONTAINS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

const Dataset& real_dataset() {
  static const Dataset dataset = load_dataset(lvis_v05_100_path());
  return dataset;
}

TEST(LvisResults, ReadsReferenceDetections) {
  const std::string path = std::string(COUNTERSCOPE_REFS_DIR) + "/lvis/eval/dets_1.json";
  const std::vector<Detection> detections = load_results(path, &real_dataset());
  ASSERT_EQ(detections.size(), 1921u);  // Python: len(json.load(...))
  const Detection& first = detections[0];
  EXPECT_EQ(first.image_id, 266409);
  EXPECT_EQ(first.category_id, 982);
  EXPECT_TRUE(first.has_bbox);
  EXPECT_EQ(first.bbox, (BoxXywh{369.697, 436.91, 10.866, 34.248}));
  EXPECT_DOUBLE_EQ(first.score, 0.028347);
  ASSERT_TRUE(first.has_segmentation());
  EXPECT_EQ(first.segmentation.height, 480u);
  EXPECT_EQ(first.segmentation.width, 640u);
  EXPECT_EQ(rle_to_string(first.segmentation), "ek]54k>S1nN000000000001O:FQ^i3");
  // Harsher file with more than 300 detections on some images.
  EXPECT_EQ(load_results(std::string(COUNTERSCOPE_REFS_DIR) + "/lvis/eval/dets_101.json").size(), 6107u);
}

TEST(LvisResults, WriteReadRoundTrip) {
  std::vector<Detection> detections(3);
  detections[0] = Detection{196141, 606, {1.5, 2.25, 30, 40.125}, true, 0.875, Rle{429, 640, {1000, 50, 273510}}};
  detections[1] = Detection{196141, 89, {0, 0, 1, 1}, true, 1e-4, Rle{}};  // box only
  detections[2] = Detection{266409, 56, {}, false, 0.5, Rle{480, 640, {0, 307200}}};  // mask only
  const std::string path = scratch_dir("results_round_trip") + "/results.json";
  write_results(detections, path);
  const std::vector<Detection> read = load_results(path, &real_dataset());
  ASSERT_EQ(read.size(), 3u);
  for (std::size_t i = 0; i < read.size(); ++i) {
    EXPECT_EQ(read[i].image_id, detections[i].image_id);
    EXPECT_EQ(read[i].category_id, detections[i].category_id);
    EXPECT_EQ(read[i].has_bbox, detections[i].has_bbox);
    if (detections[i].has_bbox) {
      EXPECT_EQ(read[i].bbox, detections[i].bbox);
    }
    EXPECT_EQ(read[i].score, detections[i].score);
    EXPECT_EQ(read[i].segmentation, detections[i].segmentation);
  }
  // The file holds compressed RLE strings.
  std::ifstream file(path);
  const json doc = json::parse(file);
  EXPECT_TRUE(doc[0]["segmentation"]["counts"].is_string());
  EXPECT_FALSE(doc[1].contains("segmentation"));
  EXPECT_FALSE(doc[2].contains("bbox"));

  write_results({}, path);
  EXPECT_TRUE(load_results(path).empty());
}

TEST(LvisResults, BadInput) {
  const std::string dir = scratch_dir("results_bad");
  const auto error_for = [&](const std::string& text, const Dataset* dataset = nullptr) {
    const std::string path = write_text(dir, "results.json", text);
    const std::string message = input_error_of([&] { load_results(path, dataset); });
    EXPECT_CONTAINS(message, path);
    return message;
  };
  const std::string mask = rle_to_string(Rle{429, 640, {100, 10, 274450}});
  const auto detection = [&](const std::string& fields) {
    return "[{\"image_id\": 196141, \"category_id\": 606, \"score\": 0.5, \"bbox\": [1, 2, 3, 4]" + fields + "}]";
  };
  EXPECT_CONTAINS(error_for(R"({"image_id": 1})"), "expected an array");
  EXPECT_CONTAINS(error_for("[{\"image_id\": 196141, \"category_id\": 606, \"score\": 0.5}]"),
                  "results[0]: a detection needs a bbox or a segmentation");
  EXPECT_CONTAINS(error_for("[{\"image_id\": 196141, \"category_id\": 606, \"bbox\": [1, 2, 3, 4]}]"),
                  "results[0].score: missing");
  EXPECT_CONTAINS(error_for(detection("") + "x"), "unexpected content");
  EXPECT_CONTAINS(error_for("[" + detection("").substr(1, detection("").size() - 2) + ", {\"image_id\": 1, \"category_id\": 1, "
                            "\"score\": NaN, \"bbox\": [0, 0, 1, 1]}]"),
                  "results[1].score");
  EXPECT_CONTAINS(error_for("[{\"image_id\": 196141, \"category_id\": 606, \"score\": -0.5, \"bbox\": [1, 2, 3, 4]}]"),
                  "results[0].score = -0.500000: must not be negative");
  EXPECT_CONTAINS(error_for(detection(", \"segmentation\": {\"size\": [429, 640], \"counts\": \"#bad\"}")),
                  "results[0].segmentation.counts = \"#bad\": invalid RLE");
  EXPECT_CONTAINS(error_for(detection(", \"segmentation\": {\"size\": [429, 640]}")),
                  "results[0].segmentation.counts: missing");
  EXPECT_CONTAINS(error_for("[{\"image_id\": 5, \"category_id\": 606, \"score\": 0.5, \"bbox\": [1, 2, 3, 4]}]",
                            &real_dataset()),
                  "results[0].image_id = 5: no image of the dataset has this id");
  EXPECT_CONTAINS(error_for("[{\"image_id\": 196141, \"category_id\": 5000, \"score\": 0.5, \"bbox\": [1, 2, 3, 4]}]",
                            &real_dataset()),
                  "results[0].category_id = 5000");
  EXPECT_CONTAINS(error_for(detection(", \"segmentation\": {\"size\": [429, 640], \"counts\": " + json(mask).dump() + "}")
                                .replace(14, 6, "266409"),
                            &real_dataset()),
                  "results[0].segmentation.size = [429, 640]: differs from the image's size [480, 640]");
  EXPECT_CONTAINS(error_for("[{\"image_id\": 196141, \"category_id\": 606, \"score\": 0.5, \"bbox\": [1, 2, 3, 4]},"),
                  "truncated");
}

}  // namespace
}  // namespace counterscope::data
