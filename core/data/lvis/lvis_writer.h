#pragma once
// Writes a Dataset back as LVIS v1 / v0.5 / COCO JSON (nlohmann/json), atomically (temporary file + rename).

#include <string>

#include "core/data/lvis/dataset.h"

namespace counterscope::data {

/// Writes `dataset` in its own format (dataset.format). Throws Error on I/O failure.
void write_dataset(const Dataset& dataset, const std::string& path);

}  // namespace counterscope::data
