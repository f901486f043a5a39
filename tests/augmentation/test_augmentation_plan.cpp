// The augmentation plan (categories below K images and how many each needs) and the statistics table, on a
// hand-made dataset whose counts are known.

#include <gtest/gtest.h>

#include "core/augmentation/augmentation_plan.h"
#include "core/util/error.h"

namespace counterscope::augmentation {
namespace {

// Categories 10 (rare), 20 (common), 30 (frequent); image i holds the categories listed for it.
data::Dataset counted_dataset() {
  data::Dataset dataset;
  const std::pair<std::int64_t, data::Frequency> categories[] = {
      {30, data::Frequency::frequent}, {10, data::Frequency::rare}, {20, data::Frequency::common}};
  for (const auto& [id, frequency] : categories) {
    data::Category category;
    category.id = id;
    category.name = "c" + std::to_string(id);
    category.frequency = frequency;
    dataset.categories.push_back(category);
  }
  const std::vector<std::vector<std::int64_t>> images = {{10, 30}, {20, 30}, {20, 30, 30}, {30}, {30}, {20}};
  std::int64_t annotation_id = 1;
  for (std::size_t i = 0; i < images.size(); ++i) {
    data::ImageInfo image;
    image.id = static_cast<std::int64_t>(i) + 1;
    image.width = image.height = 8;
    image.coco_url = "x/train2017/" + std::to_string(i) + ".jpg";
    dataset.images.push_back(image);
    for (const std::int64_t category : images[i]) {
      data::Annotation annotation;
      annotation.id = annotation_id++;
      annotation.image_id = image.id;
      annotation.category_id = category;
      annotation.bbox = {0, 0, 2, 2};
      annotation.area = 4;
      dataset.annotations.push_back(annotation);
    }
  }
  dataset.build_indexes();
  return dataset;
}

TEST(AugmentationPlan, CountsImagesNotInstancesAndNeedsUpToK) {
  const data::Dataset dataset = counted_dataset();
  const auto counts = images_per_category(dataset);
  EXPECT_EQ(counts, (std::vector<std::int64_t>{5, 1, 3}));  // file order: 30, 10, 20; image 3 has 30 twice

  const AugmentationPlan plan = plan_augmentation(dataset, 4);
  EXPECT_EQ(plan.current_minimum, 1);
  ASSERT_EQ(plan.needs.size(), 2u);
  EXPECT_EQ(plan.needs[0].category_id, 10);  // increasing id order
  EXPECT_EQ(plan.needs[0].needed, 3);
  EXPECT_EQ(plan.needs[0].frequency, data::Frequency::rare);
  EXPECT_EQ(plan.needs[1].category_id, 20);
  EXPECT_EQ(plan.needs[1].needed, 1);
  EXPECT_EQ(plan.total_needed, 4);
  EXPECT_FALSE(plan.nothing_to_do());
}

TEST(AugmentationPlan, NothingToDoAtOrBelowTheCurrentMinimum) {
  const data::Dataset dataset = counted_dataset();
  for (const std::int64_t k : {std::int64_t{1}}) {
    const AugmentationPlan plan = plan_augmentation(dataset, k);
    EXPECT_TRUE(plan.nothing_to_do());
    EXPECT_EQ(plan.total_needed, 0);
    EXPECT_NE(nothing_to_do_message(plan).find("nothing to do"), std::string::npos);
  }
  EXPECT_FALSE(plan_augmentation(dataset, 2).nothing_to_do());
  EXPECT_THROW(plan_augmentation(dataset, 0), InputError);
}

TEST(AugmentationPlan, StatisticsTableCountsImagesOfEachGroup) {
  const data::Dataset dataset = counted_dataset();
  AugmentationStatistics statistics;
  statistics.before = data::compute_dataset_stats(dataset);
  data::Dataset grown = dataset;
  data::ImageInfo image;
  image.id = 100;
  image.width = image.height = 8;
  image.coco_url = "x/train2017/100.jpg";
  grown.images.push_back(image);
  data::Annotation annotation;
  annotation.id = 100;
  annotation.image_id = 100;
  annotation.category_id = 10;
  annotation.bbox = {0, 0, 2, 2};
  grown.annotations.push_back(annotation);
  grown.build_indexes();
  statistics.after = data::compute_dataset_stats(grown);

  const auto json = statistics_to_json(statistics);
  EXPECT_EQ(json["rare"]["images_before"], 1);
  EXPECT_EQ(json["rare"]["images_after"], 2);
  EXPECT_EQ(json["common"]["images_before"], 3);
  EXPECT_EQ(json["common"]["images_after"], 3);
  EXPECT_EQ(json["frequent"]["instances_before"], 6);
  EXPECT_EQ(json["total"]["images_after"], 7);
  EXPECT_EQ(json["total"]["instances_after"], 11);
  EXPECT_FALSE(json.contains("unknown"));
  const std::string table = format_statistics_table(statistics);
  EXPECT_NE(table.find("| rare     |"), std::string::npos);
  EXPECT_NE(table.find("| total    |"), std::string::npos);
}

}  // namespace
}  // namespace counterscope::augmentation
