#include "core/augmentation/augmentation_plan.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "core/util/error.h"

namespace counterscope::augmentation {
namespace {

constexpr data::Frequency kGroups[] = {data::Frequency::rare, data::Frequency::common, data::Frequency::frequent,
                                       data::Frequency::unknown};

nlohmann::ordered_json group_json(const data::GroupStats& before, const data::GroupStats& after) {
  nlohmann::ordered_json out;
  out["categories"] = before.categories;
  out["images_before"] = before.images;
  out["images_after"] = after.images;
  out["instances_before"] = before.instances;
  out["instances_after"] = after.instances;
  return out;
}

std::string table_row(const std::string& name, const data::GroupStats& before, const data::GroupStats& after) {
  char line[256];
  std::snprintf(line, sizeof(line), "| %-8s | %10lld | %13lld | %12lld | %16lld | %15lld |\n", name.c_str(),
                static_cast<long long>(before.categories), static_cast<long long>(before.images),
                static_cast<long long>(after.images), static_cast<long long>(before.instances),
                static_cast<long long>(after.instances));
  return line;
}

}  // namespace

std::vector<std::int64_t> images_per_category(const data::Dataset& dataset) {
  if (!dataset.has_indexes()) throw Error("images_per_category: build_indexes() has not been called");
  std::vector<std::int64_t> counts(dataset.categories.size(), 0);
  for (std::size_t c = 0; c < dataset.categories.size(); ++c)
    counts[c] = static_cast<std::int64_t>(dataset.images_of_category(c).size());
  return counts;
}

AugmentationPlan plan_augmentation(const data::Dataset& dataset, std::int64_t min_images) {
  if (min_images < 1)
    throw InputError("--min-images", "K", std::to_string(min_images), "expected at least 1 image per category");
  if (dataset.categories.empty())
    throw InputError(dataset.source_path, "categories", "[]", "the dataset has no categories to augment");
  AugmentationPlan plan;
  plan.min_images = min_images;
  const std::vector<std::int64_t> counts = images_per_category(dataset);
  plan.current_minimum = *std::min_element(counts.begin(), counts.end());
  std::vector<std::size_t> order(dataset.categories.size());
  for (std::size_t c = 0; c < order.size(); ++c) order[c] = c;
  // Increasing id order, whatever the file's order, so that a run is the same for a reordered file.
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return dataset.categories[a].id < dataset.categories[b].id; });
  for (const std::size_t c : order) {
    if (counts[c] >= min_images) continue;
    CategoryNeed need;
    need.category_id = dataset.categories[c].id;
    need.name = dataset.categories[c].name;
    need.frequency = dataset.categories[c].frequency;
    need.images_before = counts[c];
    need.needed = min_images - counts[c];
    plan.total_needed += need.needed;
    plan.needs.push_back(std::move(need));
  }
  return plan;
}

std::string nothing_to_do_message(const AugmentationPlan& plan) {
  return "nothing to do: every category already has at least " + std::to_string(plan.current_minimum) +
         " training images, which is >= --min-images " + std::to_string(plan.min_images) +
         " (give K above the current minimum to add images)";
}

nlohmann::ordered_json statistics_to_json(const AugmentationStatistics& statistics) {
  nlohmann::ordered_json out;
  for (const data::Frequency group : kGroups) {
    const auto& before = statistics.before.group(group);
    if (before.categories == 0) continue;
    out[data::frequency_name(group)] = group_json(before, statistics.after.group(group));
  }
  out["total"] = group_json(statistics.before.total, statistics.after.total);
  return out;
}

std::string format_statistics_table(const AugmentationStatistics& statistics) {
  std::string out =
      "| group    | categories | images before | images after | instances before | instances after |\n"
      "|----------|-----------:|--------------:|-------------:|-----------------:|----------------:|\n";
  for (const data::Frequency group : kGroups) {
    const auto& before = statistics.before.group(group);
    if (before.categories == 0) continue;
    out += table_row(data::frequency_name(group), before, statistics.after.group(group));
  }
  out += table_row("total", statistics.before.total, statistics.after.total);
  return out;
}

}  // namespace counterscope::augmentation
