#include "core/augmentation/augmentation_job.h"

#include <filesystem>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/augmentation/augmentation_journal.h"
#include "core/augmentation/augmented_dataset.h"
#include "core/augmentation/source_images.h"
#include "core/data/lvis/lvis_writer.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace counterscope::augmentation {
namespace {

namespace fs = std::filesystem;

// Writes the PNG beside its final name and renames it, so a file under its final name is always complete.
void write_image(const cv::Mat& image, const std::string& path) {
  const std::string partial = path + ".partial.png";
  bool written = false;
  try {
    written = cv::imwrite(partial, image);
  } catch (const cv::Exception&) {
    written = false;
  }
  std::error_code error;
  if (written) fs::rename(partial, path, error);
  if (!written || error) {
    fs::remove(partial, error);
    throw InputError(path, "", "", "cannot write the image (disk full or folder unwritable?); the output stays "
                                   "marked INCOMPLETE: fix it and run the same command again to resume");
  }
}

nlohmann::json run_settings(const data::Dataset& dataset, const AugmentationOptions& options, const CandidateMaker& maker) {
  nlohmann::json settings = maker.settings();
  settings["annotations"] = fs::absolute(options.annotations_path.empty() ? dataset.source_path : options.annotations_path)
                                .lexically_normal()
                                .string();
  settings["min_images"] = options.min_images;
  settings["seed"] = options.seed;
  settings["max_attempts"] = options.max_attempts;
  for (const auto& item : options.identity.items()) settings[item.key()] = item.value();
  return settings;
}

}  // namespace

bool AugmentationResult::partial() const {
  for (const auto& outcome : outcomes)
    if (outcome.unreachable) return true;
  return false;
}

AugmentationResult run_augmentation(const data::Dataset& dataset, const AugmentationOptions& options,
                                    CandidateMaker& maker, const JobContext& context) {
  if (options.max_attempts < 1)
    throw InputError("--max-attempts", "attempts", std::to_string(options.max_attempts), "expected at least 1");
  AugmentationResult result;
  result.plan = plan_augmentation(dataset, options.min_images);
  if (result.plan.nothing_to_do()) {
    result.nothing_to_do = true;
    result.message = nothing_to_do_message(result.plan);
    return result;
  }

  AugmentationJournal journal(options.out_dir, run_settings(dataset, options, maker));
  const OutputPaths& paths = journal.paths();
  result.images_resumed = static_cast<std::int64_t>(journal.resumed_images());
  const std::int64_t first_image_id = first_new_image_id(dataset);
  std::int64_t next_annotation_id = first_new_annotation_id(dataset);
  if (!journal.images().empty()) {
    const JournalRecord& last = journal.images().back();
    next_annotation_id = last.first_annotation_id + static_cast<std::int64_t>(last.annotations.size());
  }
  const std::int64_t total = result.plan.total_needed;
  const std::string stage = "augment (" + maker.method() + ")";

  for (const CategoryNeed& need : result.plan.needs) {
    CategoryOutcome outcome;
    outcome.need = need;
    std::int64_t attempt = 0;
    for (const JournalRecord& record : journal.images()) {
      if (record.category_id != need.category_id) continue;
      ++outcome.made;
      attempt = std::max(attempt, record.attempt + 1);
    }
    const auto known = journal.unreachable().find(need.category_id);
    if (known != journal.unreachable().end()) {
      outcome.unreachable = true;
      outcome.attempts = known->second.attempts;
      outcome.reason = known->second.reason;
      result.outcomes.push_back(outcome);
      continue;
    }
    std::string reason = maker.unreachable_reason(need.category_id);
    std::int64_t failures = attempt - outcome.made;
    // The job's line: images made in all, and this category's count (plus what `detail` adds).
    const auto report = [&](const std::string& detail) {
      context.report(stage, static_cast<std::int64_t>(journal.images().size()), total,
                     need.name + ": " + std::to_string(outcome.made) + "/" + std::to_string(need.needed) + detail);
    };
    while (reason.empty() && outcome.made < need.needed) {
      if (failures >= options.max_attempts) {
        reason = "no accepted image after " + std::to_string(failures) + " failed attempts (--max-attempts)";
        break;
      }
      context.throw_if_cancelled();
      std::mt19937_64 rng(attempt_seed(options.seed, need.category_id, attempt));
      std::optional<NewImage> candidate = maker.make(need.category_id, rng, context);
      const std::int64_t this_attempt = attempt++;
      if (!candidate) {
        ++failures;
        // A refused attempt is progress too: rare targets can take many, and the line must not look stuck.
        report(", " + std::to_string(failures) + " refused");
        continue;
      }
      JournalRecord record;
      record.index = static_cast<std::int64_t>(journal.images().size());
      record.category_id = need.category_id;
      record.attempt = this_attempt;
      const std::int64_t image_id = first_image_id + record.index;
      record.file = new_image_file_name(maker.method(), image_id);
      record.image = new_image_info(dataset, image_id, record.file, candidate->image_bgr.cols, candidate->image_bgr.rows);
      record.image.neg_category_ids = candidate->neg_category_ids;
      record.image.not_exhaustive_category_ids = candidate->not_exhaustive_category_ids;
      record.first_annotation_id = next_annotation_id;
      record.annotations = std::move(candidate->annotations);
      record.source_image_id = candidate->source_image_id;
      record.source_annotation_id = candidate->source_annotation_id;
      record.how = candidate->how;
      record.target_score = candidate->target_score;
      write_image(candidate->image_bgr, (fs::path(paths.images_dir) / record.file).string());
      journal.append(record);
      next_annotation_id += static_cast<std::int64_t>(record.annotations.size());
      ++outcome.made;
      report("");
    }
    outcome.attempts = attempt;
    if (!reason.empty()) {
      outcome.unreachable = true;
      outcome.reason = reason;
      journal.append(UnreachableRecord{need.category_id, attempt, reason});
    }
    result.outcomes.push_back(outcome);
  }

  link_original_images(dataset, options.image_root, paths.images_root, context);
  const data::Dataset augmented = build_augmented_dataset(dataset, journal.images());
  data::write_dataset(augmented, paths.annotations);
  result.statistics.before = data::compute_dataset_stats(dataset);
  result.statistics.after = data::compute_dataset_stats(augmented);
  result.images_added = static_cast<std::int64_t>(journal.images().size());
  result.annotations_path = paths.annotations;
  result.images_root = paths.images_root;
  std::int64_t unreachable = 0;
  for (const auto& outcome : result.outcomes) unreachable += outcome.unreachable ? 1 : 0;
  result.message = "added " + std::to_string(result.images_added) + " images (" + maker.method() + ") for " +
                   std::to_string(result.plan.needs.size()) + " categories below " + std::to_string(options.min_images) +
                   " images" + (unreachable ? "; " + std::to_string(unreachable) + " categories unreachable" : "");
  const nlohmann::ordered_json summary = result_to_json(result);
  write_file_atomically(paths.statistics, [&](std::ostream& out) { out << summary.dump(2) << "\n"; });
  journal.mark_complete();
  return result;
}

nlohmann::ordered_json result_to_json(const AugmentationResult& result) {
  nlohmann::ordered_json out;
  out["message"] = result.message;
  out["nothing_to_do"] = result.nothing_to_do;
  out["min_images"] = result.plan.min_images;
  out["current_minimum"] = result.plan.current_minimum;
  out["images_needed"] = result.plan.total_needed;
  out["images_added"] = result.images_added;
  out["images_resumed"] = result.images_resumed;
  out["partial"] = result.partial();
  if (!result.nothing_to_do) {
    out["annotations"] = result.annotations_path;
    out["images"] = result.images_root;
    out["statistics"] = statistics_to_json(result.statistics);
  }
  nlohmann::ordered_json categories = nlohmann::ordered_json::array();
  for (const auto& outcome : result.outcomes) {
    nlohmann::ordered_json entry;
    entry["category_id"] = outcome.need.category_id;
    entry["name"] = outcome.need.name;
    entry["frequency"] = data::frequency_name(outcome.need.frequency);
    entry["images_before"] = outcome.need.images_before;
    entry["needed"] = outcome.need.needed;
    entry["made"] = outcome.made;
    entry["attempts"] = outcome.attempts;
    if (outcome.unreachable) entry["unreachable"] = outcome.reason;
    categories.push_back(std::move(entry));
  }
  out["categories"] = std::move(categories);
  return out;
}

}  // namespace counterscope::augmentation
