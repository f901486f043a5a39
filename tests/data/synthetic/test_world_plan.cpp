// The plan of the default-sized world: exact LVIS bands, context bias, val coverage of every category,
// consistent federated lists -- checked on the plan alone, without rendering.

#include "core/data/synthetic/world_plan.h"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "core/util/error.h"

namespace counterscope::data::synthetic {
namespace {

const std::vector<CategorySpec>& specs() { return default_category_specs(); }

// Images that show at least one annotated instance of each category.
std::vector<int> recount_images(const SplitPlan& plan) {
  std::vector<int> counts(specs().size(), 0);
  for (const auto& image : plan.images) {
    std::set<int> annotated;
    for (const auto& instance : image.instances)
      if (instance.annotation_id != 0) annotated.insert(instance.category);
    for (int c : annotated) counts[c] += 1;
  }
  return counts;
}

TEST(WorldPlan, CategoryTableIsLvisLike) {
  ASSERT_GE(specs().size(), 40u);
  std::set<std::string> names;
  for (std::size_t c = 0; c < specs().size(); ++c) {
    names.insert(specs()[c].name);
    if (c > 0) {
      EXPECT_LT(specs()[c - 1].name, specs()[c].name);  // sorted: id = position + 1
    }
    if (!specs()[c].sibling.empty()) {
      const auto sibling = find_category(specs(), specs()[c].sibling);
      ASSERT_TRUE(sibling) << specs()[c].name;
      // A rare class shares its sibling's shape family or its colours, so only a subtler cue tells them apart.
      const CategorySpec& a = specs()[c];
      const CategorySpec& b = specs()[*sibling];
      auto same = [](const Bgr& x, const Bgr& y) { return x.b == y.b && x.g == y.g && x.r == y.r; };
      EXPECT_TRUE(a.shape == b.shape || (same(a.primary, b.primary) && same(a.secondary, b.secondary))) << a.name;
      EXPECT_TRUE(a.shape != b.shape || a.pattern != b.pattern || a.aspect != b.aspect || a.size != b.size ||
                  a.shape_ratio != b.shape_ratio || !same(a.secondary, b.secondary))
          << a.name << " looks exactly like " << b.name;
      EXPECT_GT(specs()[*sibling].default_train_images, 100) << specs()[c].name;
    }
  }
  EXPECT_EQ(names.size(), specs().size());
}

TEST(WorldPlan, DefaultWorldHasExactLongTailBands) {
  const WorldOptions options;
  const SplitPlan train = plan_split(options, specs(), Split::train);
  ASSERT_EQ(train.images.size(), 2000u);
  EXPECT_EQ(train.category_image_counts, recount_images(train));
  EXPECT_EQ(train.category_image_counts, planned_image_counts(options, specs(), Split::train));
  int rare = 0, common = 0, frequent = 0;
  for (std::size_t c = 0; c < specs().size(); ++c) {
    const int count = train.category_image_counts[c];
    const int planned = specs()[c].default_train_images;
    // Each category lands in the band its spec puts it in.
    if (planned > 100) {
      EXPECT_GT(count, 100) << specs()[c].name;
      ++frequent;
    } else if (planned > 10) {
      EXPECT_GE(count, 11) << specs()[c].name;
      EXPECT_LE(count, 100) << specs()[c].name;
      ++common;
    } else {
      EXPECT_GE(count, 1) << specs()[c].name;
      EXPECT_LE(count, 10) << specs()[c].name;
      ++rare;
    }
  }
  EXPECT_EQ(frequent, 17);
  EXPECT_EQ(common, 18);
  EXPECT_EQ(rare, 13);
}

TEST(WorldPlan, CategoriesMostlyAppearOnTheirContext) {
  const WorldOptions options;
  const SplitPlan train = plan_split(options, specs(), Split::train);
  std::vector<int> on_context(specs().size(), 0), total(specs().size(), 0);
  for (const auto& image : train.images) {
    std::set<int> present;
    for (const auto& instance : image.instances) present.insert(instance.category);
    for (int c : present) {
      total[c] += 1;
      on_context[c] += image.background == specs()[c].context;
    }
  }
  for (std::size_t c = 0; c < specs().size(); ++c) {
    if (total[c] < 10) continue;  // a share of a handful of images says little
    EXPECT_GE(double(on_context[c]) / total[c], 0.7) << specs()[c].name;
  }
  // "sled" lives on snow, "lawn_mower" on grass, "surfboard" on water.
  for (const char* name : {"sled", "lawn_mower", "surfboard"}) {
    const auto c = *find_category(specs(), name);
    EXPECT_GE(double(on_context[c]) / total[c], 0.75) << name;
  }
}

TEST(WorldPlan, ValCoversEveryCategory) {
  const WorldOptions options;
  const SplitPlan val = plan_split(options, specs(), Split::val);
  ASSERT_EQ(val.images.size(), 500u);
  std::vector<int> annotated_instances(specs().size(), 0);
  for (const auto& image : val.images)
    for (const auto& instance : image.instances) annotated_instances[instance.category] += instance.annotation_id != 0;
  for (std::size_t c = 0; c < specs().size(); ++c) {
    EXPECT_GE(val.category_image_counts[c], 8) << specs()[c].name;
    EXPECT_GE(annotated_instances[c], 8) << specs()[c].name;
  }
}

TEST(WorldPlan, ImagesRespectLimitsAndFederatedLists) {
  const WorldOptions options;
  for (Split split : {Split::train, Split::val}) {
    const SplitPlan plan = plan_split(options, specs(), split);
    std::set<std::int64_t> annotation_ids;
    int not_exhaustive = 0;
    for (const auto& image : plan.images) {
      ASSERT_FALSE(image.instances.empty()) << "image " << image.id;
      EXPECT_LE(static_cast<int>(image.instances.size()), options.max_instances_per_image);
      std::set<std::int64_t> present;
      for (const auto& instance : image.instances) {
        present.insert(instance.category + 1);
        if (instance.annotation_id != 0) {
          EXPECT_TRUE(annotation_ids.insert(instance.annotation_id).second);
        }
      }
      EXPECT_LE(static_cast<int>(present.size()), options.max_categories_per_image);
      EXPECT_TRUE(std::is_sorted(image.neg_category_ids.begin(), image.neg_category_ids.end()));
      for (auto id : image.neg_category_ids) EXPECT_EQ(present.count(id), 0u) << "image " << image.id;
      for (auto id : image.not_exhaustive_category_ids) EXPECT_EQ(present.count(id), 1u) << "image " << image.id;
      not_exhaustive += static_cast<int>(image.not_exhaustive_category_ids.size());
      // A category whose sibling is present is verified absent, so confusing the two is a counted error.
      for (const auto& instance : image.instances) {
        const auto sibling = find_category(specs(), specs()[instance.category].sibling);
        if (sibling && !present.count(static_cast<std::int64_t>(*sibling) + 1)) {
          EXPECT_TRUE(std::binary_search(image.neg_category_ids.begin(), image.neg_category_ids.end(),
                                         static_cast<std::int64_t>(*sibling) + 1));
        }
      }
    }
    EXPECT_GT(not_exhaustive, 0);
    EXPECT_EQ(*annotation_ids.begin(), 1);
  }
}

TEST(WorldPlan, SameSeedSamePlanOtherSeedOtherPlan) {
  WorldOptions options;
  options.train_images = 300;
  const SplitPlan a = plan_split(options, specs(), Split::train);
  const SplitPlan b = plan_split(options, specs(), Split::train);
  options.seed = 2;
  const SplitPlan c = plan_split(options, specs(), Split::train);
  auto signature = [](const SplitPlan& plan) {
    std::vector<std::int64_t> values;
    for (const auto& image : plan.images) {
      values.push_back(static_cast<std::int64_t>(image.background));
      values.push_back(static_cast<std::int64_t>(image.seed & 0xFFFF));
      for (const auto& instance : image.instances) values.push_back(instance.category * 1000 + instance.annotation_id);
    }
    return values;
  };
  EXPECT_EQ(signature(a), signature(b));
  EXPECT_NE(signature(a), signature(c));
}

TEST(WorldPlan, TooSmallSplitIsAnInputError) {
  WorldOptions options;
  options.train_images = 5;
  try {
    plan_split(options, specs(), Split::train);
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("train_images = 5"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace counterscope::data::synthetic
