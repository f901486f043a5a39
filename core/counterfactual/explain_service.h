#pragma once
// A torch-free facade over the explainers for the application: load a detector (config + weights) once,
// optionally its counterfactual generator, then explain dataset instances towards target categories and
// get plain structs and cv::Mat back. Wraps load_detector, GeneratorExplainer / OptimizingExplainer and
// make_explain_request; nothing of LibTorch appears in this header. Given a synthetic world's ground truth
// (set_ground_truth), it also compares each map with the twin (NCC) and shows the twin itself.
//
// One explanation runs at a time per service (calls from several threads are serialised); the dataset
// must outlive the service.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "core/counterfactual/explanation.h"
#include "core/data/lvis/dataset.h"
#include "core/util/progress.h"

namespace counterscope::counterfactual {

/// generator: one pass of the loaded generator; optimize: Adam on M from zero; refine: Adam on M from the
/// generator's map (needs a generator); twin: M is the synthetic world's ground-truth difference, the
/// reference a map is read against (needs set_ground_truth).
enum class ExplainMethod { generator, optimize, refine, twin };
/// The methods that run the loaded generator (generator, refine), and those that take optimiser steps
/// (optimize, refine).
inline bool uses_generator(ExplainMethod method) {
  return method == ExplainMethod::generator || method == ExplainMethod::refine;
}
inline bool takes_steps(ExplainMethod method) {
  return method == ExplainMethod::optimize || method == ExplainMethod::refine;
}

/// twin - X (CV_32FC3 RGB, [0, 1] units) for instance `annotation_id` of image `image_id` drawn as the category
/// named `target_category`: the ground truth of a synthetic world, handed to the service by whoever knows the
/// world (the service itself does not depend on it).
using GroundTruthDifference =
    std::function<cv::Mat(std::int64_t image_id, std::int64_t annotation_id, const std::string& target_category)>;

/// What to explain and how.
struct ExplainQuestion {
  std::int64_t image_id = 0;
  std::int64_t annotation_id = 0;       ///< the ground-truth instance whose class is swapped
  std::int64_t target_category_id = 0;  ///< the class it should become
  ExplainMethod method = ExplainMethod::generator;
  std::int64_t optimize_steps = 100;    ///< optimize, refine: Adam steps at most
  double learning_rate = 0.01;          ///< optimize, refine: Adam learning rate on the map
  double outside_weight = 0;            ///< optimize, refine: weight of |M| outside the instance's box enlarged 2x
};

/// One class and its probability for the explained instance.
struct ClassScore {
  std::int64_t category_id = 0;
  std::string name;
  double score = 0;
};

/// The answer, with the dataset ids resolved and the inputs the views need.
struct ExplainAnswer {
  Explanation explanation;          ///< map, X~, predictions on X and X~, scores, masks, measures
  cv::Mat image;                    ///< X: CV_8UC3 RGB, as the explainer read it
  std::array<double, 4> instance_box{};  ///< x1, y1, x2, y2 of the explained instance
  std::int64_t image_id = 0;
  std::int64_t annotation_id = 0;
  std::int64_t source_category_id = 0;
  std::int64_t target_category_id = 0;
  std::string image_path;
  /// Top classes of the instance's RoI on X and on X~, best first (at most `top_count` given to explain()).
  std::vector<ClassScore> top_before;
  std::vector<ClassScore> top_after;
  /// Category id of each contiguous label of the predictions (index = label; 0 = background).
  std::vector<std::int64_t> category_of_label;
};

class ExplainService {
 public:
  /// Loads the detector and checks its classes against `dataset` (InputError naming both when they differ).
  /// `generator_path` may be empty (then only the optimize method works).
  ExplainService(const std::string& model_config, const std::string& weights_path, const std::string& generator_path,
                 const data::Dataset& dataset, const std::string& image_root);
  ~ExplainService();
  ExplainService(ExplainService&&) noexcept;
  ExplainService& operator=(ExplainService&&) noexcept;

  bool has_generator() const;
  /// From now on every explanation is compared with the ground truth (NCC) and the twin method works.
  void set_ground_truth(GroundTruthDifference source);
  bool has_ground_truth() const;
  /// Loads (or replaces) the generator. Throws InputError when the file is not a generator for this model.
  void load_generator(const std::string& generator_path);

  /// Explains one instance. Throws InputError for unknown ids, a target equal to the instance's class, the
  /// generator method without a generator, the twin method without a ground truth; Cancelled when the
  /// context asks to stop.
  ExplainAnswer explain(const ExplainQuestion& question, const JobContext& context = {},
                        std::size_t top_count = 5) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace counterscope::counterfactual
