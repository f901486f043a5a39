#pragma once
// The dataset table of the report: categories, images and instances per LVIS frequency group
// (rare / common / frequent) and in total, counted from the annotations themselves.

#include <array>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/data/lvis/dataset.h"

namespace counterscope::data {

struct GroupStats {
  std::int64_t categories = 0;  ///< categories of the group
  std::int64_t images = 0;      ///< distinct images with at least one instance of the group
  std::int64_t instances = 0;   ///< annotations of the group's categories
};

struct DatasetStats {
  DatasetFormat format = DatasetFormat::lvis_v1;
  /// Indexed by Frequency: rare, common, frequent, unknown (COCO categories have no frequency).
  std::array<GroupStats, 4> groups{};
  GroupStats total;  ///< all categories, all images of the file (with or without annotations), all annotations
  std::int64_t images_without_annotations = 0;
  std::int64_t categories_without_instances = 0;

  const GroupStats& group(Frequency frequency) const { return groups[static_cast<std::size_t>(frequency)]; }
};

/// Needs the indexes (load_dataset builds them).
DatasetStats compute_dataset_stats(const Dataset& dataset);

const char* format_name(DatasetFormat format);  ///< "lvis_v1", "lvis_v05", "coco"
nlohmann::json to_json(const DatasetStats& stats);
/// A fixed-width text table, one row per group present plus the total.
std::string format_stats_table(const DatasetStats& stats);

}  // namespace counterscope::data
