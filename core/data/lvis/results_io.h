#pragma once
// Reads and writes LVIS/COCO results files (a JSON list of detections).

#include <string>
#include <vector>

#include "core/data/lvis/dataset.h"
#include "core/data/lvis/results.h"

namespace counterscope::data {

/// Reads a results file. With `dataset`, every detection is checked against it (known image and category
/// ids, RLE size equal to the image size); NaN/negative scores and malformed RLE are always errors.
/// Throws InputError naming the file, the entry index and the value.
std::vector<Detection> load_results(const std::string& path, const Dataset* dataset = nullptr);

/// Writes detections (compressed RLE strings for masks), atomically.
void write_results(const std::vector<Detection>& detections, const std::string& path);

}  // namespace counterscope::data
