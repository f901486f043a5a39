#include "core/evaluation/model_diff.h"

#include <algorithm>

#include "core/util/error.h"

namespace counterscope::evaluation {
namespace {

/// Per dataset annotation: its outcome in `analysis`, or null.
std::vector<const TruthOutcome*> outcomes_by_annotation(const data::Dataset& dataset, const ErrorAnalysis& analysis) {
  std::vector<const TruthOutcome*> out(dataset.annotations.size(), nullptr);
  for (const auto& truth : analysis.truths) {
    if (truth.annotation < out.size()) out[truth.annotation] = &truth;
  }
  return out;
}

double matched_score(const TruthOutcome* outcome, const DetectionStore& store) {
  if (outcome == nullptr || outcome->label != TruthLabel::matched || outcome->detection < 0) return 0;
  return store.detections()[static_cast<std::size_t>(outcome->detection)].score;
}

/// "N categories (a, b, c ...)" for warnings.
std::string name_some(const std::vector<std::string>& names) {
  std::string text = std::to_string(names.size()) + (names.size() == 1 ? " category (" : " categories (");
  for (std::size_t i = 0; i < names.size() && i < 5; ++i) text += (i ? ", " : "") + names[i];
  return text + (names.size() > 5 ? ", ...)" : ")");
}

void warn_about_coverage(const data::Dataset& dataset, const DetectionStore& a, const DetectionStore& b,
                         std::vector<std::string>& warnings) {
  std::vector<std::size_t> count_a(dataset.categories.size(), 0), count_b(dataset.categories.size(), 0);
  for (const auto& d : a.detections()) ++count_a[*dataset.category_index(d.category_id)];
  for (const auto& d : b.detections()) ++count_b[*dataset.category_index(d.category_id)];
  std::vector<std::string> only_a, only_b;
  for (std::size_t k = 0; k < dataset.categories.size(); ++k) {
    if (count_a[k] > 0 && count_b[k] == 0) only_a.push_back(dataset.categories[k].name);
    if (count_b[k] > 0 && count_a[k] == 0) only_b.push_back(dataset.categories[k].name);
  }
  if (!only_a.empty()) {
    warnings.push_back("model B never predicts " + name_some(only_a) +
                       " that model A predicts: their ΔAP compares against no detections (different category sets?)");
  }
  if (!only_b.empty()) {
    warnings.push_back("model A never predicts " + name_some(only_b) +
                       " that model B predicts: their ΔAP compares against no detections (different category sets?)");
  }
  std::size_t images_only_a = 0, images_only_b = 0;
  for (std::size_t i = 0; i < dataset.images.size(); ++i) {
    const bool in_a = !a.of_image(i).empty(), in_b = !b.of_image(i).empty();
    images_only_a += in_a && !in_b;
    images_only_b += in_b && !in_a;
  }
  if (images_only_a > 0) {
    warnings.push_back(std::to_string(images_only_a) + " images have detections of model A only (were both run on "
                                                        "the whole split?)");
  }
  if (images_only_b > 0) {
    warnings.push_back(std::to_string(images_only_b) + " images have detections of model B only (were both run on "
                                                        "the whole split?)");
  }
}

}  // namespace

ModelDiff diff_models(const data::Dataset& dataset, const ModelRun& a, const ModelRun& b,
                      const ModelDiffOptions& options) {
  if (!a.result || !a.errors || !a.store || !b.result || !b.errors || !b.store) {
    throw Error("diff_models: both runs need a result, an error analysis and a detection store");
  }
  if (!(options.min_score >= 0)) {
    throw InputError("model diff options", "min_score", std::to_string(options.min_score), "expected >= 0");
  }
  if (a.result->iou_type != b.result->iou_type || a.errors->iou_type != a.result->iou_type ||
      b.errors->iou_type != b.result->iou_type) {
    throw InputError("model diff", "iou_type", iou_type_name(b.result->iou_type),
                     std::string("the two runs must be evaluated with one IoU type (") + iou_type_name(a.result->iou_type) +
                         ")");
  }
  if (a.result->categories.size() != dataset.categories.size() ||
      b.result->categories.size() != dataset.categories.size()) {
    throw InputError("model diff", "categories", std::to_string(b.result->categories.size()),
                     "the two runs must be evaluated on the same dataset (" +
                         std::to_string(dataset.categories.size()) + " categories)");
  }
  ModelDiff diff;
  diff.iou_type = a.result->iou_type;
  diff.options = options;
  diff.metrics_a = a.result->metrics;
  diff.metrics_b = b.result->metrics;
  diff.errors_a[0] = a.errors->overall;
  diff.errors_b[0] = b.errors->overall;
  for (std::size_t g = 0; g < 3; ++g) {
    diff.errors_a[1 + g] = a.errors->by_frequency[g];
    diff.errors_b[1 + g] = b.errors->by_frequency[g];
  }

  for (std::size_t k = 0; k < a.result->categories.size(); ++k) {
    const auto& ca = a.result->categories[k];
    const auto& cb = b.result->categories[k];
    CategoryDiff row;
    row.category_id = ca.category_id;
    row.name = ca.name;
    row.frequency = ca.frequency;
    row.truths = ca.truth_count;
    row.detections_a = ca.detection_count;
    row.detections_b = cb.detection_count;
    row.ap_a = ca.ap;
    row.ap_b = cb.ap;
    row.ap50_a = ca.ap50;
    row.ap50_b = cb.ap50;
    row.defined = ca.ap >= 0 && cb.ap >= 0;
    row.delta_ap = row.defined ? cb.ap - ca.ap : 0;
    diff.categories.push_back(std::move(row));
  }
  auto row_of = [&](std::int64_t category_id) -> CategoryDiff& {
    const auto it = std::lower_bound(diff.categories.begin(), diff.categories.end(), category_id,
                                     [](const CategoryDiff& c, std::int64_t id) { return c.category_id < id; });
    return *it;
  };

  const auto by_b = outcomes_by_annotation(dataset, *b.errors);
  for (const auto& truth : a.errors->truths) {
    const TruthOutcome* ta = &truth;
    const TruthOutcome* tb = by_b[truth.annotation];
    if (tb == nullptr) continue;  // not evaluated by B (cannot happen on one dataset)
    diff.transitions[static_cast<std::size_t>(ta->label)][static_cast<std::size_t>(tb->label)] += 1;
    const double score_a = matched_score(ta, *a.store), score_b = matched_score(tb, *b.store);
    const bool found_a = ta->label == TruthLabel::matched && score_a >= options.min_score;
    const bool found_b = tb->label == TruthLabel::matched && score_b >= options.min_score;
    auto& row = row_of(truth.category_id);
    row.found_a += found_a;
    row.found_b += found_b;
    if (found_a == found_b) continue;
    InstanceChange change;
    change.annotation = truth.annotation;
    change.annotation_id = truth.annotation_id;
    change.image_id = truth.image_id;
    change.category_id = truth.category_id;
    change.fixed = found_b;
    change.label_a = ta->label;
    change.label_b = tb->label;
    change.score_a = score_a;
    change.score_b = score_b;
    diff.changes.push_back(change);
    if (found_b) {
      ++row.fixed;
      ++diff.fixed;
    } else {
      ++row.broken;
      ++diff.broken;
    }
  }
  warn_about_coverage(dataset, *a.store, *b.store, diff.warnings);
  if (a.store->size() == 0) diff.warnings.push_back("model A has no detections");
  if (b.store->size() == 0) diff.warnings.push_back("model B has no detections");
  if (a.errors->truths.empty()) diff.warnings.push_back("the split has no ground truth: nothing to fix or break");
  return diff;
}

}  // namespace counterscope::evaluation
