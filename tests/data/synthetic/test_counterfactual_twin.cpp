// The ground-truth twin: same scene with one instance drawn as another category. It must differ from X only
// where the instance was or now is, and everything else must be pixel-identical.

#include "core/data/synthetic/counterfactual_twin.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "core/counterfactual/synthetic_reference.h"
#include "core/data/synthetic/world_generator.h"
#include "core/util/error.h"

namespace counterscope::data::synthetic {
namespace {

WorldOptions tiny_options() {
  WorldOptions options;
  options.seed = 5;
  options.train_images = 48;
  options.val_images = 40;
  options.width = 128;
  options.height = 128;
  return options;
}

// Pixels where a and b differ, not counting those where `ignore` is non-zero.
int changed_pixels(const cv::Mat& a, const cv::Mat& b, const cv::Mat& ignore) {
  cv::Mat difference;
  cv::absdiff(a, b, difference);
  cv::Mat any;
  cv::transform(difference, any, cv::Matx13f(1, 1, 1));
  cv::Mat changed = any > 0;
  if (!ignore.empty()) changed.setTo(0, ignore);
  return cv::countNonZero(changed);
}

TEST(CounterfactualTwin, ChangesOnlyTheInstance) {
  const WorldOptions options = tiny_options();
  const GeneratedImage x = render_world_image(options, Split::val, 3);
  ASSERT_FALSE(x.annotations.empty());
  int checked = 0;
  for (const auto& annotation : x.annotations) {
    const std::string target = default_category_specs()[annotation.category == 0 ? 1 : 0].name;
    const CounterfactualTwin twin =
        render_counterfactual_twin(options, TwinRequest{Split::val, 3, annotation.id, target, std::nullopt});
    EXPECT_EQ(twin.source_category, annotation.category);
    EXPECT_EQ(changed_pixels(twin.original, x.image, cv::Mat()), 0) << "X is not re-created exactly";
    // Outside the old and new outline nothing changes; inside, something does.
    EXPECT_EQ(changed_pixels(twin.original, twin.twin, twin.changed_region), 0) << "annotation " << annotation.id;
    EXPECT_GT(changed_pixels(twin.original, twin.twin, cv::Mat()), 0) << "annotation " << annotation.id;
    // The changed region is near the instance: it contains the instance's visible mask.
    cv::Mat missed;
    cv::bitwise_and(twin.original_mask, twin.changed_region == 0, missed);
    EXPECT_EQ(cv::countNonZero(missed), 0);
    // The twin's annotations relabel the instance and keep the others' ids.
    ASSERT_EQ(twin.twin_annotations.size(), x.annotations.size());
    for (std::size_t k = 0; k < x.annotations.size(); ++k) {
      EXPECT_EQ(twin.twin_annotations[k].id, x.annotations[k].id);
      const int expected = x.annotations[k].id == annotation.id ? twin.target_category : x.annotations[k].category;
      EXPECT_EQ(twin.twin_annotations[k].category, expected);
    }
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST(CounterfactualTwin, SameCategoryGivesX) {
  const WorldOptions options = tiny_options();
  const GeneratedImage x = render_world_image(options, Split::val, 7);
  const auto& annotation = x.annotations.at(0);
  const std::string same = default_category_specs()[annotation.category].name;
  const CounterfactualTwin twin =
      render_counterfactual_twin(options, TwinRequest{Split::val, 7, annotation.id, same, std::nullopt});
  EXPECT_EQ(changed_pixels(twin.original, twin.twin, cv::Mat()), 0);
}

TEST(CounterfactualTwin, BackgroundSwapKeepsTheObjects) {
  const WorldOptions options = tiny_options();
  const GeneratedImage x = render_world_image(options, Split::train, 2);
  const auto& annotation = x.annotations.at(0);
  const std::string same = default_category_specs()[annotation.category].name;
  TwinRequest request{Split::train, 2, annotation.id, same, Background::snow};
  const CounterfactualTwin on_snow = render_counterfactual_twin(options, request);
  request.background = Background::asphalt;
  const CounterfactualTwin on_asphalt = render_counterfactual_twin(options, request);
  // The background changes, the instance's own pixels do not.
  EXPECT_GT(changed_pixels(on_snow.twin, on_asphalt.twin, cv::Mat()), 0);
  EXPECT_GT(changed_pixels(on_snow.original, on_snow.twin, cv::Mat()), 0);
  EXPECT_EQ(changed_pixels(on_snow.original, on_snow.twin, on_snow.original_mask == 0), 0);
}

// twin - X in RGB [0, 1] units, the form the explainers compare maps with.
cv::Mat rgb_difference(const CounterfactualTwin& twin) {
  cv::Mat original, changed;
  cv::cvtColor(twin.original, original, cv::COLOR_BGR2RGB);
  cv::cvtColor(twin.twin, changed, cv::COLOR_BGR2RGB);
  original.convertTo(original, CV_32FC3, 1.0 / 255.0);
  changed.convertTo(changed, CV_32FC3, 1.0 / 255.0);
  return changed - original;
}

TEST(CounterfactualTwin, GroundTruthDifferenceOfAWorldFolderOptionallyInTheTargetsContext) {
  const WorldOptions options = tiny_options();
  const auto dir = std::filesystem::temp_directory_path() / "test_counterfactual_twin_world";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "world.json") << nlohmann::json{{"options", options.to_json()}}.dump();
  const GeneratedImage x = render_world_image(options, Split::val, 3);
  const auto& annotation = x.annotations.at(0);
  const CategorySpec& target = default_category_specs()[annotation.category == 0 ? 1 : 0];

  const auto object_only = counterfactual::synthetic_twin_reference(dir.string(), "val", 3, annotation.id, target.name);
  const auto in_context =
      counterfactual::synthetic_twin_reference(dir.string(), "val", 3, annotation.id, target.name, true);
  const CounterfactualTwin twin =
      render_counterfactual_twin(options, {Split::val, 3, annotation.id, target.name, std::nullopt});
  const auto expected_in_context =
      rgb_difference(render_counterfactual_twin(options, {Split::val, 3, annotation.id, target.name, target.context}));
  EXPECT_EQ(cv::norm(object_only.difference, rgb_difference(twin), cv::NORM_INF), 0.0);
  EXPECT_EQ(cv::norm(in_context.difference, expected_in_context, cv::NORM_INF), 0.0);
  // The reference also says where the twin draws the instance.
  EXPECT_EQ(cv::countNonZero(object_only.mask != twin.twin_mask), 0);
  EXPECT_THROW(counterfactual::synthetic_twin_reference(dir.string(), "val", 3, annotation.id, "unicorn", true),
               InputError);

  // The world an annotation file belongs to: only WORLD/annotations/{train,val}.json beside WORLD/world.json.
  std::filesystem::create_directories(dir / "annotations");
  const auto found = counterfactual::synthetic_world_of((dir / "annotations" / "val.json").string());
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(std::filesystem::path(found->world_dir), dir);
  EXPECT_EQ(found->split, "val");
  EXPECT_EQ(counterfactual::synthetic_world_of((dir / "annotations" / "train.json").string())->split, "train");
  EXPECT_FALSE(counterfactual::synthetic_world_of((dir / "annotations" / "test.json").string()).has_value());
  EXPECT_FALSE(counterfactual::synthetic_world_of((dir / "val.json").string()).has_value());
  std::filesystem::remove(dir / "world.json");
  EXPECT_FALSE(counterfactual::synthetic_world_of((dir / "annotations" / "val.json").string()).has_value());
  std::filesystem::remove_all(dir);
}

TEST(CounterfactualTwin, BadRequestsNameTheField) {
  const WorldOptions options = tiny_options();
  const GeneratedImage x = render_world_image(options, Split::val, 1);
  const std::int64_t id = x.annotations.at(0).id;
  auto message = [&](const TwinRequest& request) {
    try {
      render_counterfactual_twin(options, request);
    } catch (const InputError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({Split::val, 41, id, "sled", std::nullopt}).find("image_id = 41"), std::string::npos);
  EXPECT_NE(message({Split::val, 1, 999999, "sled", std::nullopt}).find("annotation_id = 999999"), std::string::npos);
  EXPECT_NE(message({Split::val, 1, id, "unicorn", std::nullopt}).find("\"unicorn\""), std::string::npos);
  EXPECT_THROW(render_world_image(options, Split::train, 0), InputError);
}

}  // namespace
}  // namespace counterscope::data::synthetic
