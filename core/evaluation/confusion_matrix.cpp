#include "core/evaluation/confusion_matrix.h"

#include <algorithm>

#include "core/util/error.h"

namespace counterscope::evaluation {

const char* confusion_group_name(std::size_t group) {
  static const char* const names[confusion_group_count] = {"rare", "common", "frequent", "unknown", "background"};
  return group < confusion_group_count ? names[group] : "?";
}

std::uint64_t ConfusionMatrix::total() const {
  std::uint64_t sum = 0;
  for (const auto c : m_counts) sum += c;
  return sum;
}

std::uint64_t ConfusionMatrix::predicted_total(std::uint32_t predicted) const {
  std::uint64_t total = 0;
  for (std::uint32_t t = 0; t <= background(); ++t) total += count(predicted, t);
  return total;
}

std::uint64_t ConfusionMatrix::truth_total(std::uint32_t truth) const {
  std::uint64_t total = 0;
  for (std::uint32_t p = 0; p <= background(); ++p) total += count(p, truth);
  return total;
}

std::uint32_t ConfusionMatrix::position(std::int64_t category_id) const {
  const auto it = std::lower_bound(category_ids.begin(), category_ids.end(), category_id);
  if (it == category_ids.end() || *it != category_id) return background();
  return static_cast<std::uint32_t>(it - category_ids.begin());
}

std::size_t ConfusionMatrix::group_of(std::uint32_t position) const {
  if (position >= background()) return confusion_group_count - 1;
  return static_cast<std::size_t>(frequency_group_index(frequencies[position]));
}

std::vector<std::vector<std::uint64_t>> ConfusionMatrix::grouped() const {
  std::vector<std::vector<std::uint64_t>> out(confusion_group_count, std::vector<std::uint64_t>(confusion_group_count, 0));
  for (std::uint32_t p = 0; p <= background(); ++p) {
    for (std::uint32_t t = 0; t <= background(); ++t) out[group_of(p)][group_of(t)] += count(p, t);
  }
  return out;
}

std::vector<Confusion> ConfusionMatrix::top_confusions(std::size_t limit) const {
  std::vector<Confusion> cells;
  for (std::uint32_t p = 0; p < background(); ++p) {
    for (std::uint32_t t = 0; t < background(); ++t) {
      if (p != t && count(p, t) > 0) cells.push_back({t, p, count(p, t)});
    }
  }
  // Positions follow category ids, so position order is id order.
  std::stable_sort(cells.begin(), cells.end(), [](const Confusion& a, const Confusion& b) {
    if (a.count != b.count) return a.count > b.count;
    if (a.truth != b.truth) return a.truth < b.truth;
    return a.predicted < b.predicted;
  });
  if (cells.size() > limit) cells.resize(limit);
  return cells;
}

std::vector<const ConfusionInstance*> ConfusionMatrix::instances_of(std::uint32_t predicted, std::uint32_t truth) const {
  std::vector<const ConfusionInstance*> out;
  for (const auto& instance : instances) {
    if (instance.predicted == predicted && instance.truth == truth) out.push_back(&instance);
  }
  return out;
}

void ConfusionMatrix::count_instances() {
  const std::size_t side = category_count() + 1;
  m_counts.assign(side * side, 0);
  for (const auto& instance : instances) ++m_counts[static_cast<std::size_t>(instance.predicted) * side + instance.truth];
}

void ConfusionMatrix::set_counts(std::vector<std::uint64_t> counts) {
  const std::size_t side = category_count() + 1;
  if (counts.size() != side * side) throw Error("confusion matrix: counts of another size");
  m_counts = std::move(counts);
}

ConfusionMatrix build_confusion_matrix(const PreparedEvaluation& prepared, const DetectionMatching& matching,
                                       ConfusionDetail detail) {
  const auto& dataset = prepared.dataset();
  const auto& by_id = prepared.categories_by_id();
  ConfusionMatrix matrix;
  matrix.iou_type = matching.iou_type;
  matrix.iou_threshold = matching.options.iou_threshold;
  matrix.min_score = matching.options.min_score;
  std::vector<std::uint32_t> position_of_index(dataset.categories.size(), 0);
  for (std::uint32_t k = 0; k < by_id.size(); ++k) {
    matrix.category_ids.push_back(dataset.categories[by_id[k]].id);
    matrix.frequencies.push_back(dataset.categories[by_id[k]].frequency);
    position_of_index[by_id[k]] = k;
  }
  const auto K = matrix.background();
  const std::size_t side = static_cast<std::size_t>(K) + 1;
  const auto& detections = prepared.detections();
  // Matrix position of every prepared ground truth (its pair's category).
  std::vector<std::uint32_t> truth_position(prepared.ground_truths().size(), K);
  for (const auto& pair : prepared.pairs()) {
    for (auto g = pair.truth_begin; g < pair.truth_end; ++g) truth_position[g] = position_of_index[pair.category_index];
  }

  std::vector<std::uint64_t> counts(side * side, 0);
  auto record = [&](const ConfusionInstance& instance) {
    ++counts[static_cast<std::size_t>(instance.predicted) * side + instance.truth];
    const bool confusion = instance.predicted != instance.truth && instance.predicted < K && instance.truth < K;
    if (detail == ConfusionDetail::all || confusion) matrix.instances.push_back(instance);
  };
  if (detail == ConfusionDetail::all) matrix.instances.reserve(detections.size() + prepared.ground_truths().size());
  for (const auto& image : prepared.images()) {
    const auto image_id = dataset.images[image.image_index].id;
    if (image.pair_begin == image.pair_end) continue;
    const auto& first = prepared.pairs()[image.pair_begin];
    const auto& last = prepared.pairs()[image.pair_end - 1];
    for (auto d = first.detection_begin; d < last.detection_end; ++d) {
      const auto kind = matching.kind[d];
      if (kind == MatchKind::ignored) {
        ++matrix.ignored_detections;
        continue;
      }
      if (detections[d].score < matching.options.min_score) {
        ++matrix.below_score_detections;
        continue;
      }
      ConfusionInstance instance;
      instance.predicted = position_of_index[detections[d].category_index];
      instance.detection = static_cast<std::int32_t>(detections[d].source);
      instance.image_id = image_id;
      instance.score = static_cast<float>(detections[d].score);
      const auto g = matching.truth_of_detection[d];
      if (kind == MatchKind::same_category || kind == MatchKind::other_category) {
        instance.truth = truth_position[static_cast<std::size_t>(g)];
        instance.annotation = static_cast<std::int32_t>(prepared.ground_truths()[static_cast<std::size_t>(g)]);
        instance.iou = matching.iou[d];
      } else {
        instance.truth = K;
      }
      record(instance);
    }
    for (auto g = first.truth_begin; g < last.truth_end; ++g) {
      if (matching.detection_of_truth[g] >= 0) continue;
      ConfusionInstance instance;
      instance.predicted = K;
      instance.truth = truth_position[g];
      instance.annotation = static_cast<std::int32_t>(prepared.ground_truths()[g]);
      instance.image_id = image_id;
      record(instance);
    }
  }
  matrix.set_counts(std::move(counts));
  if (!prepared.has_detections()) matrix.warnings.push_back("no detections: every ground truth is in the background row");
  if (prepared.ground_truths().empty()) matrix.warnings.push_back("no ground truth in the split: nothing to confuse");
  return matrix;
}

ConfusionMatrix build_confusion_matrix(const PreparedEvaluation& prepared, IouType iou_type,
                                       const ConfusionOptions& options, const JobContext& context) {
  const auto same = match_same_category(prepared, iou_type, options.iou_threshold, options.threads, context);
  DetectionMatchingOptions matching_options;
  matching_options.iou_threshold = options.iou_threshold;
  matching_options.min_score = options.min_score;
  matching_options.threads = options.threads;
  return build_confusion_matrix(prepared, match_detections(prepared, same, matching_options, context));
}

}  // namespace counterscope::evaluation
