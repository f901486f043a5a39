#include "core/evaluation/lvis_evaluator.h"

#include <algorithm>

#include "core/evaluation/category_evaluation.h"
#include "core/evaluation/parallel_for.h"

namespace counterscope::evaluation {
namespace {

/// Mean of the defined values, as lvis-api's np.mean(s[s > -1]); -1 when none. Summed in long double so
/// that the order of summation does not matter at the precision the results are compared to.
class MeanOfDefined {
 public:
  void add_sum(long double sum, std::size_t count) {
    m_sum += sum;
    m_count += count;
  }
  double value() const { return m_count == 0 ? -1.0 : static_cast<double>(m_sum / static_cast<long double>(m_count)); }

 private:
  long double m_sum = 0;
  std::size_t m_count = 0;
};

long double sum_of(const double* values, std::size_t count) {
  long double sum = 0;
  for (std::size_t i = 0; i < count; ++i) sum += values[i];
  return sum;
}

int frequency_group(data::Frequency frequency) {
  switch (frequency) {
    case data::Frequency::rare: return 0;
    case data::Frequency::common: return 1;
    case data::Frequency::frequent: return 2;
    default: return -1;
  }
}

void summarize(const std::vector<CategoryCurves>& curves, const data::Dataset& dataset,
               const std::vector<std::uint32_t>& categories_by_id, EvaluationResult& result) {
  const std::size_t T = iou_thresholds().size(), R = recall_thresholds().size();
  const auto t50 = iou_threshold_index(0.50), t75 = iou_threshold_index(0.75);
  MeanOfDefined ap, ap50, ap75, ap_area[area_range_count], ap_group[3], ar_area[area_range_count];
  result.categories.clear();
  result.categories.reserve(categories_by_id.size());
  result.precision.assign(categories_by_id.size() * T * R, -1.0);
  for (std::size_t k = 0; k < categories_by_id.size(); ++k) {
    const auto& category = dataset.categories[categories_by_id[k]];
    const auto& c = curves[k];
    CategoryEvaluation out;
    out.category_id = category.id;
    out.name = category.name;
    out.frequency = category.frequency;
    out.truth_count = c.truth_count;
    out.detection_count = c.detection_count;
    for (std::size_t a = 0; a < area_range_count; ++a) {
      if (!c.defined[a]) continue;
      const long double precision_sum = sum_of(c.precision[a].data(), T * R);
      const long double recall_sum = sum_of(c.recall[a].data(), T);
      ap_area[a].add_sum(precision_sum, T * R);
      ar_area[a].add_sum(recall_sum, T);
      const double category_ap = static_cast<double>(precision_sum / static_cast<long double>(T * R));
      if (a == 0) {
        out.ap = category_ap;
        out.ar = static_cast<double>(recall_sum / static_cast<long double>(T));
        if (t50) {
          const long double s = sum_of(c.precision[0].data() + *t50 * R, R);
          ap50.add_sum(s, R);
          out.ap50 = static_cast<double>(s / static_cast<long double>(R));
        }
        if (t75) {
          const long double s = sum_of(c.precision[0].data() + *t75 * R, R);
          ap75.add_sum(s, R);
          out.ap75 = static_cast<double>(s / static_cast<long double>(R));
        }
        const int group = frequency_group(category.frequency);
        if (group >= 0) ap_group[group].add_sum(precision_sum, T * R);
        std::copy(c.precision[0].begin(), c.precision[0].end(), result.precision.begin() + k * T * R);
      } else if (a == 1) {
        out.ap_small = category_ap;
      } else if (a == 2) {
        out.ap_medium = category_ap;
      } else {
        out.ap_large = category_ap;
      }
    }
    result.categories.push_back(std::move(out));
  }
  auto& m = result.metrics;
  m.ap = ap_area[0].value();
  m.ap50 = ap50.value();
  m.ap75 = ap75.value();
  m.ap_small = ap_area[1].value();
  m.ap_medium = ap_area[2].value();
  m.ap_large = ap_area[3].value();
  m.ap_rare = ap_group[0].value();
  m.ap_common = ap_group[1].value();
  m.ap_frequent = ap_group[2].value();
  m.ar = ar_area[0].value();
  m.ar_small = ar_area[1].value();
  m.ar_medium = ar_area[2].value();
  m.ar_large = ar_area[3].value();
}

}  // namespace

LvisEvaluator::LvisEvaluator(const data::Dataset& dataset, EvaluationOptions options)
    : m_dataset(&dataset), m_options(options) {}

void LvisEvaluator::reset() { m_store.clear(); }

void LvisEvaluator::process(std::int64_t image_id, std::vector<data::Detection> detections,
                            const std::string& source) {
  m_store.add(*m_dataset, image_id, std::move(detections), source);
}

void LvisEvaluator::process_results(std::vector<data::Detection> detections, const std::string& source) {
  m_store.add_in_order(*m_dataset, std::move(detections), source);
}

PreparedEvaluation LvisEvaluator::prepare() const {
  return PreparedEvaluation(*m_dataset, m_store, m_options.max_detections_per_image);
}

EvaluationResult LvisEvaluator::evaluate(IouType iou_type, const JobContext& context) const {
  context.report(std::string("prepare ") + iou_type_name(iou_type), 0, 0);
  return evaluate(prepare(), iou_type, context);
}

EvaluationResult LvisEvaluator::evaluate(const PreparedEvaluation& prepared, IouType iou_type,
                                         const JobContext& context, SameCategoryMatches* matches_at_50) const {
  EvaluationResult result;
  result.iou_type = iou_type;
  result.max_detections_per_image = m_options.max_detections_per_image;
  result.detection_count = m_store.size();
  if (matches_at_50 != nullptr) {
    matches_at_50->iou_type = iou_type;
    matches_at_50->iou_threshold = 0.5;
    matches_at_50->truth_of_detection.assign(prepared.detections().size(), -1);
    matches_at_50->iou.assign(prepared.detections().size(), 0.0f);
  }
  result.areas_from_boxes = prepared.areas_from_boxes();
  result.evaluated_detection_count = prepared.detections().size();
  result.dropped_by_limit = prepared.dropped_by_limit();
  result.dropped_by_area = prepared.dropped_by_area();
  result.dropped_by_federation = prepared.dropped_by_federation();

  const auto& categories_by_id = prepared.categories_by_id();
  std::vector<CategoryCurves> curves(categories_by_id.size());
  if (!prepared.has_detections()) {
    // lvis-api refuses an empty results list; report every metric as undefined instead.
    result.warnings.push_back("no detections to evaluate: every metric is -1");
    summarize(curves, *m_dataset, categories_by_id, result);
    return result;
  }

  // Largest categories first, so that the last items handed out are small and the workers finish together.
  std::vector<std::size_t> work(categories_by_id.size());
  std::vector<std::size_t> cost(categories_by_id.size(), 0);
  for (std::size_t k = 0; k < work.size(); ++k) {
    work[k] = k;
    for (const auto p : prepared.pairs_of_category()[categories_by_id[k]]) {
      const auto& pair = prepared.pairs()[p];
      cost[k] += 1 + static_cast<std::size_t>(pair.detection_count()) * (1 + pair.truth_count());
    }
  }
  std::stable_sort(work.begin(), work.end(), [&](std::size_t a, std::size_t b) { return cost[a] > cost[b]; });

  std::vector<CategoryEvaluator> evaluators(static_cast<std::size_t>(worker_count(m_options.threads, work.size())));
  parallel_for(
      work.size(), m_options.threads,
      [&](std::size_t item, int worker) {
        const std::size_t k = work[item];
        curves[k] = evaluators[static_cast<std::size_t>(worker)].evaluate(prepared, categories_by_id[k], iou_type,
                                                                          matches_at_50);
      },
      context, std::string("evaluate ") + iou_type_name(iou_type));
  summarize(curves, *m_dataset, categories_by_id, result);
  return result;
}

EvaluationResult evaluate_results(const data::Dataset& dataset, std::vector<data::Detection> detections,
                                  IouType iou_type, const EvaluationOptions& options, const JobContext& context) {
  LvisEvaluator evaluator(dataset, options);
  evaluator.process_results(std::move(detections));
  return evaluator.evaluate(iou_type, context);
}

}  // namespace counterscope::evaluation
