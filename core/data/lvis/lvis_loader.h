#pragma once
// Reads LVIS v1, LVIS v0.5 and COCO instances JSON with simdjson On Demand straight into a Dataset.

#include <string>

#include "core/data/lvis/dataset.h"
#include "core/util/progress.h"

namespace counterscope::data {

/// Loads and validates an annotation file (format detected from its content) and builds the indexes.
/// Throws InputError naming the file, the JSON path or id and the value on any bad input.
Dataset load_dataset(const std::string& path, const JobContext& context = {});

}  // namespace counterscope::data
