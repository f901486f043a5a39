#pragma once
// The augmentation job (issue #7): lifts every category of a training set to at least K images by adding
// images made by a CandidateMaker (counterfactual label swaps or image transformations), writes the new dataset
// and the report's statistics table. Sequential over the planned categories in id order, attempt a of category
// c seeded from (seed, c, a): the output depends only on the inputs and the seed, and an interrupted run
// resumed from its journal ends with exactly the files of an uninterrupted one.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/augmentation/augmentation_plan.h"
#include "core/augmentation/candidate_maker.h"
#include "core/data/lvis/dataset.h"
#include "core/util/progress.h"

namespace counterscope::augmentation {

struct AugmentationOptions {
  /// The training annotations' path (recorded in the settings; the dataset itself is passed loaded).
  std::string annotations_path;
  /// Image root of the training annotations.
  std::string image_root;
  /// Output folder (see augmentation_journal.h for its layout).
  std::string out_dir;
  /// K: every category should reach this many training images.
  std::int64_t min_images = 0;
  /// Seed of every random choice.
  std::uint64_t seed = 0;
  /// A category is given up (reported unreachable) after this many failed attempts.
  std::int64_t max_attempts = 20;
  /// Further settings that decide the images (model, weights, generator), checked when resuming.
  nlohmann::json identity = nlohmann::json::object();
};

/// What happened to one category in need.
struct CategoryOutcome {
  CategoryNeed need;
  std::int64_t made = 0;      ///< images added for it
  std::int64_t attempts = 0;  ///< attempts made (accepted + failed)
  bool unreachable = false;
  std::string reason;         ///< why it is unreachable
};

struct AugmentationResult {
  AugmentationPlan plan;
  bool nothing_to_do = false;
  std::string message;  ///< the nothing-to-do message, or a one-line summary
  std::vector<CategoryOutcome> outcomes;
  AugmentationStatistics statistics;
  std::int64_t images_added = 0;    ///< new images in the output (resumed ones included)
  std::int64_t images_resumed = 0;  ///< of which were read from an earlier run's journal
  std::string annotations_path;     ///< DIR/annotations/train.json
  std::string images_root;          ///< DIR/images

  /// Some category could not reach K (its images were still added; the others are complete).
  bool partial() const;
};

/// Runs (or resumes) the job. `dataset` must have its indexes. K at or below the current minimum returns
/// nothing_to_do without writing anything. Throws InputError for bad options and unwritable output (the folder
/// stays marked INCOMPLETE and resumable), Cancelled when the context asks to stop.
AugmentationResult run_augmentation(const data::Dataset& dataset, const AugmentationOptions& options,
                                    CandidateMaker& maker, const JobContext& context = {});

/// The result as DIR/statistics.json holds it: table, per-category outcomes, paths.
nlohmann::ordered_json result_to_json(const AugmentationResult& result);

}  // namespace counterscope::augmentation
