#pragma once
// Builds explanation requests from an LVIS-format dataset: the image read from the image root, its
// instances (non-crowd annotations with boxes and masks), the instance asked about and the target class,
// resolved from a name, synonym or id. Every bad input is an InputError that says what to do instead
// (close category names for a typo, the image's annotation ids for a wrong instance).

#include <cstdint>
#include <string>
#include <vector>

#include "core/counterfactual/explanation.h"
#include "core/data/category_labels.h"
#include "core/data/lvis/dataset.h"

namespace counterscope::counterfactual {

/// Levenshtein distance (insertions, deletions, substitutions), case-sensitive.
std::size_t edit_distance(const std::string& a, const std::string& b);
/// Up to `count` category names (or synonyms) closest to `query` by edit distance, case-insensitive.
std::vector<std::string> closest_category_names(const data::Dataset& dataset, const std::string& query,
                                                std::size_t count = 3);
/// The category id named by `name_or_id`: an id, a name or a synonym (case-insensitive; '_' and ' ' alike).
/// Throws InputError (source `option`) suggesting the closest names when nothing matches.
std::int64_t resolve_target_category(const data::Dataset& dataset, const std::string& name_or_id,
                                     const std::string& option = "--target");

/// A request and the dataset ids behind it.
struct DatasetExplainRequest {
  ExplainRequest request;
  std::int64_t image_id = 0;
  std::int64_t annotation_id = 0;
  std::int64_t source_category_id = 0;
  std::int64_t target_category_id = 0;
  std::string image_path;
};

/// Reads image `image_id` and its instances. Throws InputError for an unknown image, an image without
/// (non-crowd) instances, an annotation not in that image (listing the image's ids), a target category that
/// is the instance's own, or a category the model's labels do not know.
DatasetExplainRequest make_explain_request(const data::Dataset& dataset, const data::CategoryLabels& labels,
                                           const std::string& image_root, std::int64_t image_id,
                                           std::int64_t annotation_id, std::int64_t target_category_id);

/// One (instance, target) question for cf-eval.
struct ExplainPair {
  std::int64_t image_id = 0;
  std::int64_t annotation_id = 0;
  std::int64_t target_category_id = 0;
};

/// `count` random pairs: an instance uniform over the usable annotations, a target uniform over the other
/// categories. Deterministic in `seed`. Throws InputError when the dataset has no usable annotation or fewer
/// than two categories.
std::vector<ExplainPair> sample_explain_pairs(const data::Dataset& dataset, std::size_t count, std::uint64_t seed);

}  // namespace counterscope::counterfactual
