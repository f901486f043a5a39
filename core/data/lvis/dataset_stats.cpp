#include "core/data/lvis/dataset_stats.h"

#include <cstdio>
#include <vector>

#include "core/util/error.h"

namespace counterscope::data {

DatasetStats compute_dataset_stats(const Dataset& dataset) {
  if (!dataset.has_indexes()) throw Error("compute_dataset_stats: build_indexes() has not been called");
  DatasetStats stats;
  stats.format = dataset.format;
  // Per image, which groups it holds (bit per Frequency), to count distinct images per group.
  std::vector<std::uint8_t> groups_of_image(dataset.images.size(), 0);
  for (std::size_t c = 0; c < dataset.categories.size(); ++c) {
    const auto group = static_cast<std::size_t>(dataset.categories[c].frequency);
    ++stats.groups[group].categories;
    const std::vector<std::uint32_t>& images = dataset.images_of_category(c);
    if (images.empty()) ++stats.categories_without_instances;
    for (std::uint32_t image : images) groups_of_image[image] |= static_cast<std::uint8_t>(1u << group);
  }
  for (const Annotation& annotation : dataset.annotations) {
    const std::size_t c = *dataset.category_index(annotation.category_id);
    ++stats.groups[static_cast<std::size_t>(dataset.categories[c].frequency)].instances;
  }
  for (std::uint8_t bits : groups_of_image) {
    for (std::size_t group = 0; group < stats.groups.size(); ++group) {
      if (bits & (1u << group)) ++stats.groups[group].images;
    }
    if (bits == 0) ++stats.images_without_annotations;
  }
  stats.total.categories = static_cast<std::int64_t>(dataset.categories.size());
  stats.total.images = static_cast<std::int64_t>(dataset.images.size());
  stats.total.instances = static_cast<std::int64_t>(dataset.annotations.size());
  return stats;
}

const char* format_name(DatasetFormat format) {
  switch (format) {
    case DatasetFormat::lvis_v1: return "lvis_v1";
    case DatasetFormat::lvis_v05: return "lvis_v05";
    case DatasetFormat::coco: return "coco";
  }
  return "unknown";
}

namespace {

nlohmann::json group_json(const GroupStats& group) {
  return nlohmann::json{{"categories", group.categories}, {"images", group.images}, {"instances", group.instances}};
}

constexpr Frequency all_groups[] = {Frequency::rare, Frequency::common, Frequency::frequent, Frequency::unknown};

}  // namespace

nlohmann::json to_json(const DatasetStats& stats) {
  nlohmann::json out;
  out["format"] = format_name(stats.format);
  nlohmann::json groups = nlohmann::json::object();
  for (Frequency frequency : all_groups) {
    const GroupStats& group = stats.group(frequency);
    if (frequency == Frequency::unknown && group.categories == 0) continue;
    groups[frequency_name(frequency)] = group_json(group);
  }
  out["groups"] = groups;
  out["total"] = group_json(stats.total);
  out["images_without_annotations"] = stats.images_without_annotations;
  out["categories_without_instances"] = stats.categories_without_instances;
  return out;
}

std::string format_stats_table(const DatasetStats& stats) {
  std::string table;
  char line[128];
  std::snprintf(line, sizeof(line), "%-10s %12s %12s %12s\n", "group", "categories", "images", "instances");
  table += line;
  const auto row = [&](const char* name, const GroupStats& group) {
    std::snprintf(line, sizeof(line), "%-10s %12lld %12lld %12lld\n", name, static_cast<long long>(group.categories),
                  static_cast<long long>(group.images), static_cast<long long>(group.instances));
    table += line;
  };
  for (Frequency frequency : all_groups) {
    const GroupStats& group = stats.group(frequency);
    if (frequency == Frequency::unknown && group.categories == 0) continue;
    row(frequency_name(frequency), group);
  }
  row("total", stats.total);
  return table;
}

}  // namespace counterscope::data
