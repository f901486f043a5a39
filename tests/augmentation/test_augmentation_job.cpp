// The augmentation job end to end on a tiny synthetic world (64x64): both methods reach K, the output is a
// loadable dataset whose one image root serves old and new images, a seed gives the same files, a run
// cancelled half-way and resumed ends with the files of an uninterrupted run, and the bad inputs of issue #7
// (nothing to do, unreachable category, unwritable output) are reported.

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "core/augmentation/augmentation_job.h"
#include "core/augmentation/augmentation_journal.h"
#include "core/augmentation/counterfactual_candidates.h"
#include "core/augmentation/transform_candidates.h"
#include "core/counterfactual/counterfactual_generator.h"
#include "core/counterfactual/explainer.h"
#include "core/data/lvis/image_paths.h"
#include "core/data/lvis/lvis_loader.h"
#include "core/modeling/model_config.h"
#include "core/util/error.h"
#include "tests/support/tiny_synthetic_world.h"
#include "tests/test_paths.h"

namespace counterscope::augmentation {
namespace {

namespace fs = std::filesystem;

const fs::path kRoot = fs::path(COUNTERSCOPE_TEST_TMP_DIR) / "test_augmentation_job";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class AugmentationJobTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fs::remove_all(kRoot);
    counterscope::testing::write_tiny_world(kRoot / "world");
  }

  static data::Dataset train() { return data::load_dataset(train_path()); }
  static std::string train_path() { return (kRoot / "world" / "annotations" / "train.json").string(); }
  static std::string image_root() { return (kRoot / "world" / "images").string(); }

  static AugmentationOptions options(const std::string& out, std::int64_t min_images) {
    AugmentationOptions options;
    options.annotations_path = train_path();
    options.image_root = image_root();
    options.out_dir = (kRoot / out).string();
    options.min_images = min_images;
    options.seed = 7;
    options.max_attempts = 5;
    return options;
  }

  /// `dataset` with `count` new categories (ids 901, 902, ...) that no image shows: only a counterfactual (a
  /// label swap of another category's instance) can give them an image.
  static data::Dataset with_empty_categories(data::Dataset dataset, int count) {
    for (int i = 1; i <= count; ++i) {
      data::Category category;
      category.id = 900 + i;
      category.name = "unseen_" + std::to_string(i);
      category.frequency = data::Frequency::rare;
      dataset.categories.push_back(category);
    }
    dataset.build_indexes();
    return dataset;
  }

  /// The smallest image count of a category that has images, so that K = it + 1 asks a few images of every
  /// reachable category.
  static std::int64_t smallest_nonzero(const data::Dataset& dataset) {
    std::int64_t smallest = 1 << 30;
    for (const std::int64_t n : images_per_category(dataset))
      if (n > 0) smallest = std::min(smallest, n);
    return smallest;
  }
};

TEST_F(AugmentationJobTest, TransformsReachKWithOneImageRootForOldAndNewImages) {
  const data::Dataset dataset = train();
  const std::int64_t k = smallest_nonzero(dataset) + 2;
  TransformCandidates maker(dataset, image_root(), {0.5});
  const AugmentationResult result = run_augmentation(dataset, options("transforms", k), maker);
  ASSERT_FALSE(result.nothing_to_do);
  EXPECT_GT(result.images_added, 0);
  EXPECT_FALSE(fs::exists(kRoot / "transforms" / "INCOMPLETE"));
  EXPECT_TRUE(fs::exists(kRoot / "transforms" / "statistics.json"));

  const data::Dataset out = data::load_dataset(result.annotations_path);
  EXPECT_EQ(out.format, dataset.format);
  EXPECT_EQ(out.images.size(), dataset.images.size() + static_cast<std::size_t>(result.images_added));
  const auto counts = images_per_category(out);
  for (const CategoryOutcome& outcome : result.outcomes) {
    const std::size_t c = *out.category_index(outcome.need.category_id);
    if (outcome.unreachable) {
      EXPECT_EQ(outcome.need.images_before, 0) << outcome.need.name;  // transforms need one image to start from
    } else {
      EXPECT_EQ(outcome.made, outcome.need.needed);
      EXPECT_GE(counts[c], k) << outcome.need.name;
    }
  }
  // Every image, old or new, is found and decoded under DIR/images at its annotated size.
  for (const auto& image : out.images) {
    const std::string path = data::resolve_image_path(image, result.images_root);
    const cv::Mat pixels = cv::imread(path, cv::IMREAD_COLOR);
    ASSERT_FALSE(pixels.empty()) << path;
    EXPECT_EQ(pixels.cols, image.width);
  }
  // Categories keep their frequency group; the table's "after" counts the new images.
  for (std::size_t c = 0; c < out.categories.size(); ++c)
    EXPECT_EQ(out.categories[c].frequency, dataset.categories[*dataset.category_index(out.categories[c].id)].frequency);
  EXPECT_EQ(result.statistics.after.total.images, static_cast<std::int64_t>(out.images.size()));
  EXPECT_GE(result.statistics.after.group(data::Frequency::rare).images,
            result.statistics.before.group(data::Frequency::rare).images);
}

TEST_F(AugmentationJobTest, SameSeedSameFilesAndResumeAfterCancelLosesAndDuplicatesNothing) {
  const data::Dataset dataset = train();
  const std::int64_t k = smallest_nonzero(dataset) + 2;
  TransformCandidates maker(dataset, image_root(), {0.6});
  const AugmentationResult straight = run_augmentation(dataset, options("straight", k), maker);
  ASSERT_GE(straight.images_added, 4);
  const AugmentationResult again = run_augmentation(dataset, options("again", k), maker);
  EXPECT_EQ(read_file(straight.annotations_path), read_file(again.annotations_path));

  std::atomic<bool> cancel{false};
  JobContext context{[&](const Progress& progress) {
                       if (progress.stage.rfind("augment", 0) == 0 && progress.done == 3) cancel = true;
                     },
                     &cancel};
  EXPECT_THROW(run_augmentation(dataset, options("interrupted", k), maker, context), Cancelled);
  EXPECT_TRUE(fs::exists(kRoot / "interrupted" / "INCOMPLETE"));
  EXPECT_FALSE(fs::exists(kRoot / "interrupted" / "annotations" / "train.json"));
  // A torn journal line, as an interruption during a write would leave it.
  std::ofstream(kRoot / "interrupted" / "journal.jsonl", std::ios::app) << "{\"index\": 3, \"categ";
  const AugmentationResult resumed = run_augmentation(dataset, options("interrupted", k), maker);
  EXPECT_EQ(resumed.images_resumed, 3);
  EXPECT_EQ(resumed.images_added, straight.images_added);
  EXPECT_FALSE(fs::exists(kRoot / "interrupted" / "INCOMPLETE"));
  EXPECT_EQ(read_file(straight.annotations_path), read_file(resumed.annotations_path));
  for (const auto& entry : fs::directory_iterator(kRoot / "straight" / "images" / "train2017")) {
    if (fs::is_symlink(entry.path())) continue;
    EXPECT_EQ(read_file(entry.path()), read_file(kRoot / "interrupted" / "images" / "train2017" / entry.path().filename()))
        << entry.path().filename();
  }
  std::size_t new_files = 0;
  for (const auto& entry : fs::directory_iterator(kRoot / "interrupted" / "images" / "train2017"))
    new_files += fs::is_symlink(entry.path()) ? 0 : 1;
  EXPECT_EQ(new_files, static_cast<std::size_t>(straight.images_added));  // no leftover partial files

  // Other settings in the same folder are refused rather than mixed.
  auto other = options("interrupted", k);
  other.seed = 8;
  EXPECT_THROW(run_augmentation(dataset, other, maker), InputError);
}

TEST_F(AugmentationJobTest, NothingToDoWritesNothing) {
  const data::Dataset dataset = train();
  const std::int64_t minimum = plan_augmentation(dataset, 1).current_minimum;
  ASSERT_GE(minimum, 1);
  TransformCandidates maker(dataset, image_root(), {0.5});
  for (const std::int64_t k : {std::int64_t{1}, minimum}) {
    const AugmentationResult result = run_augmentation(dataset, options("nothing", k), maker);
    EXPECT_TRUE(result.nothing_to_do);
    EXPECT_EQ(result.images_added, 0);
    EXPECT_NE(result.message.find("nothing to do"), std::string::npos);
    EXPECT_FALSE(fs::exists(kRoot / "nothing"));
  }
  EXPECT_FALSE(plan_augmentation(dataset, minimum + 1).nothing_to_do());
  EXPECT_THROW(run_augmentation(dataset, options("nothing", 0), maker), InputError);
}

TEST_F(AugmentationJobTest, CategoryWithoutImagesIsUnreachableAndTheOthersStillReachK) {
  const data::Dataset dataset = with_empty_categories(train(), 1);
  TransformCandidates maker(dataset, image_root(), {0.5});
  const AugmentationResult result = run_augmentation(dataset, options("unreachable", smallest_nonzero(dataset) + 1), maker);
  EXPECT_TRUE(result.partial());
  const auto lonely_outcome = std::find_if(result.outcomes.begin(), result.outcomes.end(),
                                           [](const CategoryOutcome& o) { return o.need.category_id == 901; });
  ASSERT_NE(lonely_outcome, result.outcomes.end());
  EXPECT_TRUE(lonely_outcome->unreachable);
  EXPECT_EQ(lonely_outcome->made, 0);
  EXPECT_FALSE(lonely_outcome->reason.empty());
  ASSERT_GT(result.outcomes.size(), 1u);
  for (const CategoryOutcome& outcome : result.outcomes) {
    if (outcome.need.category_id != 901) {
      EXPECT_FALSE(outcome.unreachable) << outcome.need.name;
    }
  }
  EXPECT_TRUE(fs::exists(result.annotations_path));
  const auto json = nlohmann::json::parse(read_file(kRoot / "unreachable" / "statistics.json"));
  EXPECT_TRUE(json["partial"].get<bool>());
}

TEST_F(AugmentationJobTest, UnwritableOutputIsAnInputErrorNamingThePath) {
  const data::Dataset dataset = train();
  std::ofstream(kRoot / "a_file") << "not a folder";
  TransformCandidates maker(dataset, image_root(), {0.5});
  const auto opts = options("a_file/out", smallest_nonzero(dataset) + 1);
  try {
    run_augmentation(dataset, opts, maker);
    FAIL() << "expected an InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("a_file"), std::string::npos) << error.what();
  }
  // A folder holding something else is not taken over.
  fs::create_directories(kRoot / "occupied");
  std::ofstream(kRoot / "occupied" / "notes.txt") << "mine";
  EXPECT_THROW(run_augmentation(dataset, options("occupied", smallest_nonzero(dataset) + 1), maker), InputError);
}

// The counterfactual method with an untrained tiny model and generator: attainment cannot be asked of them, so
// acceptance is switched off, which is what lets the test check the relabelling and the federated fields.
TEST_F(AugmentationJobTest, CounterfactualsRelabelOneInstanceAndFixTheFederatedFields) {
  // At K = 1 the two unseen categories are all the plan asks: two explanations.
  const data::Dataset dataset = with_empty_categories(train(), 2);
  modeling::ModelConfig config = modeling::load_model_config("tiny");
  config.num_classes = static_cast<std::int64_t>(dataset.categories.size()) + 1;
  config.transform.min_size = {64};
  config.transform.max_size = 64;
  config.rpn.pre_nms_top_n_test = 50;
  config.rpn.post_nms_top_n_test = 20;
  torch::manual_seed(1);
  modeling::MaskRcnn model(config);
  model->eval();
  counterfactual::CounterfactualGenerator generator(
      counterfactual::generator_shape_for(*model, counterfactual::GeneratorOptions{}));
  counterfactual::GeneratorExplainer explainer(model, generator);

  CounterfactualCandidateOptions accept_all;
  accept_all.accept_score = 0.0;
  accept_all.require_attained = false;
  accept_all.min_area = 16;
  CounterfactualCandidates maker(dataset, image_root(), explainer, accept_all);
  const std::int64_t k = 1;
  ASSERT_EQ(plan_augmentation(dataset, k).total_needed, 2);
  // The job's own stages only (the images it makes, then linking the originals): the explainer's stages (map,
  // predictions) stay out of them.
  std::vector<Progress> reports;
  const JobContext collect{[&](const Progress& progress) {
    EXPECT_TRUE(progress.stage == "augment (counterfactual)" || progress.stage == "link original images")
        << progress.stage;
    if (progress.stage == "augment (counterfactual)") reports.push_back(progress);
  }};
  const AugmentationResult result = run_augmentation(dataset, options("counterfactual", k), maker, collect);
  EXPECT_EQ(result.images_added, 2);
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.back().done, 2);
  EXPECT_FALSE(result.partial());
  const data::Dataset out = data::load_dataset(result.annotations_path);
  EXPECT_EQ(out.images.size(), dataset.images.size() + static_cast<std::size_t>(result.images_added));
  // Every new image is its source with exactly the chosen instance relabelled, box and mask kept.
  std::ifstream journal(kRoot / "counterfactual" / "journal.jsonl");
  std::int64_t records = 0;
  for (std::string line; std::getline(journal, line); ++records) {
    const JournalRecord record = record_from_json(nlohmann::json::parse(line), "journal");
    const std::size_t source = *dataset.image_index(record.source_image_id);
    const auto& source_annotations = dataset.annotations_of_image(source);
    ASSERT_EQ(record.annotations.size(), source_annotations.size());
    int relabelled = 0;
    for (std::size_t k = 0; k < source_annotations.size(); ++k) {
      const data::Annotation& before = dataset.annotations[source_annotations[k]];
      const NewAnnotation& after = record.annotations[k];
      EXPECT_EQ(after.bbox, before.bbox);
      EXPECT_EQ(after.mask, dataset.mask_of(before));
      if (before.id == record.source_annotation_id) {
        ++relabelled;
        EXPECT_EQ(after.category_id, record.category_id);
        EXPECT_NE(before.category_id, record.category_id);
      } else {
        EXPECT_EQ(after.category_id, before.category_id);
      }
    }
    EXPECT_EQ(relabelled, 1);
    const data::ImageInfo& image = out.images[*out.image_index(record.image.id)];
    for (const std::int64_t negative : image.neg_category_ids) EXPECT_NE(negative, record.category_id);
    EXPECT_EQ(image.not_exhaustive_category_ids, dataset.images[source].not_exhaustive_category_ids);
    const cv::Mat pixels = cv::imread(data::resolve_image_path(image, result.images_root));
    ASSERT_FALSE(pixels.empty());
    EXPECT_EQ(pixels.cols, dataset.images[source].width);
  }
  EXPECT_EQ(records, result.images_added);
  // An unattainable acceptance score makes every category unreachable after --max-attempts, without output
  // images but with a complete, reported run.
  CounterfactualCandidateOptions impossible = accept_all;
  impossible.accept_score = 1.0;
  impossible.require_attained = true;
  CounterfactualCandidates strict(dataset, image_root(), explainer, impossible);
  auto strict_options = options("counterfactual_strict", k);
  strict_options.max_attempts = 1;
  reports.clear();
  const AugmentationResult refused = run_augmentation(dataset, strict_options, strict, collect);
  EXPECT_TRUE(refused.partial());
  EXPECT_EQ(refused.images_added, 0);
  // Each refused attempt is reported (no image made, the category and the refusals in the message).
  ASSERT_EQ(reports.size(), refused.outcomes.size());
  for (const Progress& progress : reports) {
    EXPECT_EQ(progress.done, 0);
    EXPECT_NE(progress.message.find("0/1, 1 refused"), std::string::npos) << progress.message;
  }
  for (const CategoryOutcome& outcome : refused.outcomes) {
    EXPECT_TRUE(outcome.unreachable);
    EXPECT_EQ(outcome.attempts, 1);
  }
}

}  // namespace
}  // namespace counterscope::augmentation
