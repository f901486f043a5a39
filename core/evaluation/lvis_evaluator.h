#pragma once
// LVIS evaluation identical to the official lvis-api (lvis/eval.py with pycocotools), for bbox and segm,
// with the reset / process / evaluate interface of detectron2's evaluators so that it serves evaluation
// during training as well as results files.
//
//   LvisEvaluator evaluator(dataset);
//   for (...) evaluator.process(image_id, detections_of_that_image);
//   EvaluationResult box = evaluator.evaluate(IouType::bbox);
//
// process() only validates and stores; evaluate() does the work on all cores, over categories, and can be
// called for both IoU types on the same detections.

#include <cstdint>
#include <string>
#include <vector>

#include "core/data/lvis/dataset.h"
#include "core/data/lvis/results.h"
#include "core/evaluation/detection_matching.h"
#include "core/evaluation/detection_store.h"
#include "core/evaluation/evaluation_result.h"
#include "core/evaluation/lvis_eval_params.h"
#include "core/evaluation/prepared_evaluation.h"
#include "core/util/progress.h"

namespace counterscope::evaluation {

class LvisEvaluator {
 public:
  /// `dataset` must outlive the evaluator.
  explicit LvisEvaluator(const data::Dataset& dataset, EvaluationOptions options = {});

  /// Forgets all detections.
  void reset();
  /// Adds the detections of one image (any order; an image may come more than once, its detections are
  /// appended). Throws InputError on bad detections (see DetectionStore::add); nothing is added then.
  void process(std::int64_t image_id, std::vector<data::Detection> detections,
               const std::string& source = "predictions");
  /// Adds a whole results list in its order (a results file): identical to lvis-api on that file.
  void process_results(std::vector<data::Detection> detections, const std::string& source = "results");

  /// Evaluates everything processed so far. Without any detection every metric is -1 and the result carries
  /// a warning. Throws Cancelled when the context asks to stop.
  EvaluationResult evaluate(IouType iou_type, const JobContext& context = {}) const;
  /// The same on an input prepared once (this evaluator's prepare()) for several evaluations and analyses.
  /// With `matches_at_50`, also records lvis-api's matches at IoU 0.50, area "all" (the same-category step of
  /// detection_matching.h) at no extra cost.
  EvaluationResult evaluate(const PreparedEvaluation& prepared, IouType iou_type, const JobContext& context = {},
                            SameCategoryMatches* matches_at_50 = nullptr) const;

  /// The evaluation input (for analyses that need the matched detections, e.g. error analysis).
  PreparedEvaluation prepare() const;

  const data::Dataset& dataset() const { return *m_dataset; }
  const DetectionStore& store() const { return m_store; }
  const EvaluationOptions& options() const { return m_options; }

 private:
  const data::Dataset* m_dataset;
  EvaluationOptions m_options;
  DetectionStore m_store;
};

/// Evaluates one results list in one call.
EvaluationResult evaluate_results(const data::Dataset& dataset, std::vector<data::Detection> detections,
                                  IouType iou_type, const EvaluationOptions& options = {},
                                  const JobContext& context = {});

}  // namespace counterscope::evaluation
