#pragma once
// What an augmentation run has to make: per category, the training images that contain it, and for the
// categories below K images, how many new images each needs. Also the report's statistics table (images and
// instances per frequency group before and after), which is why the frequency groups of the original file are
// kept in the output: "images of rare categories" stays comparable between LVIS and LVIS-CF.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/lvis/dataset.h"
#include "core/data/lvis/dataset_stats.h"

namespace counterscope::augmentation {

/// One category the run has to lift to K images.
struct CategoryNeed {
  std::int64_t category_id = 0;
  std::string name;
  data::Frequency frequency = data::Frequency::unknown;
  std::int64_t images_before = 0;  ///< training images containing the category
  std::int64_t needed = 0;         ///< K - images_before (> 0)
};

struct AugmentationPlan {
  std::int64_t min_images = 0;            ///< K
  std::int64_t current_minimum = 0;       ///< fewest images of any category before the run
  std::vector<CategoryNeed> needs;        ///< categories below K, in increasing id order
  std::int64_t total_needed = 0;          ///< sum of needs[].needed: the number of images to add

  bool nothing_to_do() const { return needs.empty(); }
};

/// Images per category of `dataset` (index = position in dataset.categories). Needs the indexes.
std::vector<std::int64_t> images_per_category(const data::Dataset& dataset);

/// The plan for K = `min_images` (>= 1, InputError naming `--min-images` otherwise).
AugmentationPlan plan_augmentation(const data::Dataset& dataset, std::int64_t min_images);

/// "nothing to do: every category already has >= N images (K = ...)".
std::string nothing_to_do_message(const AugmentationPlan& plan);

/// The report's table: per frequency group (and in total) categories, images and instances before and after.
struct AugmentationStatistics {
  data::DatasetStats before;
  data::DatasetStats after;
};

nlohmann::ordered_json statistics_to_json(const AugmentationStatistics& statistics);
/// A markdown table: | group | categories | images before | images after | instances before | instances after |.
std::string format_statistics_table(const AugmentationStatistics& statistics);

}  // namespace counterscope::augmentation
