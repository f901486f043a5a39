#pragma once
// The detector-training job behind `counterscope-cli train` and the application's training jobs: loads the
// dataset, builds the model and the chosen long-tail loss, trains with the engine's hooks (progress,
// metrics.jsonl, checkpoints, periodic LVIS evaluation), and writes
//   OUT/checkpoints/, OUT/metrics.jsonl, OUT/model.safetensors, OUT/model.json, OUT/eval.json.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/lvis/dataset.h"
#include "core/engine/solver.h"
#include "core/losses/classification_loss.h"
#include "core/util/progress.h"

namespace counterscope::engine {

struct DetectorTrainingOptions {
  std::string model = "tiny";          ///< preset name or model config JSON
  std::string train_annotations;       ///< LVIS/COCO JSON of the training split
  std::string image_root;              ///< image root of both splits
  std::string val_annotations;         ///< optional: evaluated periodically and at the end
  losses::LossOptions loss;            ///< classification loss (name + its parameters)
  /// Optional starting weights (.pth / .safetensors), e.g. a torchvision or an earlier Counterscope model
  /// (detectron2's MODEL.WEIGHTS). Tensors whose name or shape does not fit — typically the class-count-dependent
  /// predictor layers — are left at their initialisation and listed in the result's warnings; a file of which
  /// nothing fits is an error. A resumed checkpoint takes precedence.
  std::string init_weights;
  /// Tensors of init_weights whose names start with one of these prefixes are not loaded, so those layers start
  /// from their initialisation: e.g. "roi_heads.box_predictor.cls_score." retrains the classifier on a shared
  /// representation (classifier re-training, as in Kang et al.'s decoupling of representation and classifier).
  std::vector<std::string> init_exclude;
  double repeat_factor_threshold = 0;  ///< t of repeat-factor sampling; 0 = off (LVIS uses 0.001)
  /// Repeat-factor sampling at the dataset's scale: t = 100 / training images (LVIS's 0.001 on its ~100k
  /// images), i.e. categories in fewer than 100 training images are repeated. Overrides the threshold above.
  bool repeat_factor_auto = false;
  std::int64_t iterations = 1000;
  std::int64_t batch_size = 4;
  SolverOptions solver;                ///< base_lr etc.; decay steps default to 2/3 and 8/9 of the run
  bool solver_steps_given = false;     ///< false: decay steps derived from `iterations`
  std::string output_dir;
  bool resume = false;                 ///< continue from the newest readable checkpoint in OUT/checkpoints
  std::string device = "cpu";
  std::uint64_t seed = 0;
  std::int64_t checkpoint_period = 500;
  std::int64_t eval_period = 0;        ///< 0: evaluate only at the end (when val_annotations is given)
  std::int64_t log_period = 20;
  int loader_threads = 2;
  std::int64_t max_eval_images = 0;    ///< 0: all validation images
  /// Store OUT/model.safetensors in float16: half the size, for weights committed or shipped (they load into
  /// float32 models; checkpoints stay float32 so resumption is exact).
  bool half_precision_weights = false;
};

/// What repeat-factor sampling made of the training split (all zero when it is off).
struct RepeatFactorSummary {
  double threshold = 0;                  ///< t used
  std::int64_t repeated_categories = 0;  ///< categories with r(c) > 1
  std::int64_t usable_images = 0;        ///< images with a usable annotation (one plain epoch)
  double epoch_images = 0;               ///< expected images per repeat-factor epoch (sum of r(I))
};

struct DetectorTrainingResult {
  bool completed = false;        ///< false when cancelled (a checkpoint was written)
  std::int64_t iterations_done = 0;
  std::int64_t iterations_this_run = 0;  ///< iterations_done minus those a resumed checkpoint had done
  std::string weights_path;      ///< OUT/model.safetensors (written when completed)
  nlohmann::json evaluation;     ///< {"bbox": {...}, "segm": {...}} when a val split was given
  double data_wait_seconds = 0;  ///< time the loop waited for batches
  RepeatFactorSummary repeat_factors;
  double seconds = 0;
  std::vector<std::string> warnings;
};

/// Repeat-factor sampling of `dataset` as `options` ask for it: the threshold (auto or given) and the epoch
/// it makes. Throws InputError for a threshold outside (0, 1] or a dataset without annotations.
RepeatFactorSummary summarize_repeat_factors(const data::Dataset& dataset, const DetectorTrainingOptions& options,
                                             std::vector<double>* image_factors = nullptr);

/// Runs the whole job. Throws InputError on bad input, Error on I/O failure; returns with completed=false
/// when the context's cancel flag stopped it.
DetectorTrainingResult train_detector(const DetectorTrainingOptions& options, const JobContext& context = {});

}  // namespace counterscope::engine
