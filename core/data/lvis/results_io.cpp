#include "core/data/lvis/results_io.h"

#include <limits>
#include <string_view>

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "core/util/atomic_file.h"
#include "core/data/lvis/json_stream.h"
#include "core/data/lvis/json_values.h"
#include "core/data/mask/mask_api.h"
#include "core/util/error.h"

namespace counterscope::data {
namespace {

using json::Where;
using simdjson::ondemand::json_type;
using simdjson::ondemand::value;

Rle read_rle(value element, const Where& where) {
  std::uint32_t height = 0, width = 0;
  bool has_size = false, has_counts = false, is_compressed = false;
  std::string compressed;
  std::vector<std::uint32_t> runs;
  json::for_each_field(json::read_object(element, where), where, [&](std::string_view key, value field) {
    if (key == "size") {
      if (has_size) json::fail(where.key("size"), "", "duplicate key in this object");
      has_size = true;
      json::read_size(field, where.key("size"), height, width);
    } else if (key == "counts") {
      const Where counts_where = where.key("counts");
      if (has_counts) json::fail(counts_where, "", "duplicate key in this object");
      has_counts = true;
      json::read_rle_counts(field, counts_where, is_compressed, compressed, runs);
    }
  });
  if (!has_size) json::fail(where.key("size"), "", "missing (required)");
  if (!has_counts) json::fail(where.key("counts"), "", "missing (required)");
  if (height == 0 || width == 0) {
    json::fail(where.key("size"), "[" + std::to_string(height) + ", " + std::to_string(width) + "]",
               "a mask needs a positive size");
  }
  try {
    return is_compressed ? rle_from_string(compressed, height, width) : rle_from_counts(std::move(runs), height, width);
  } catch (const InputError& error) {
    json::fail(where.key("counts"), is_compressed ? quote_for_message(json::escape_bytes(compressed), 40) : "",
               std::string("invalid RLE (") + error.what() + ")");
  }
}

Detection read_detection(value element, const Where& where) {
  Detection detection;
  bool has_image = false, has_category = false, has_score = false, has_segmentation = false;
  const auto once = [&](bool& seen, const Where& at) {
    if (seen) json::fail(at, "", "duplicate key in this object");
    seen = true;
  };
  json::for_each_field(json::read_object(element, where), where, [&](std::string_view key, value field) {
    if (key == "image_id") {
      once(has_image, where.key("image_id"));
      detection.image_id = json::read_int64(field, where.key("image_id"));
    } else if (key == "category_id") {
      once(has_category, where.key("category_id"));
      detection.category_id = json::read_int64(field, where.key("category_id"));
    } else if (key == "score") {
      once(has_score, where.key("score"));
      detection.score = json::read_non_negative(field, where.key("score"));
    } else if (key == "bbox") {
      once(detection.has_bbox, where.key("bbox"));
      double box[4];
      json::read_box(field, where.key("bbox"), box);
      detection.bbox = BoxXywh{box[0], box[1], box[2], box[3]};
    } else if (key == "segmentation") {
      once(has_segmentation, where.key("segmentation"));
      detection.segmentation = read_rle(field, where.key("segmentation"));
    }
  });
  if (!has_image) json::fail(where.key("image_id"), "", "missing (required)");
  if (!has_category) json::fail(where.key("category_id"), "", "missing (required)");
  if (!has_score) json::fail(where.key("score"), "", "missing (required)");
  if (!detection.has_bbox && !has_segmentation) json::fail(where, "", "a detection needs a bbox or a segmentation");
  return detection;
}

void check_against(const Detection& detection, const Dataset& dataset, const Where& where) {
  const auto image = dataset.image_index(detection.image_id);
  if (!image) json::fail(where.key("image_id"), std::to_string(detection.image_id), "no image of the dataset has this id");
  if (!dataset.category_index(detection.category_id)) {
    json::fail(where.key("category_id"), std::to_string(detection.category_id), "no category of the dataset has this id");
  }
  if (detection.has_segmentation()) {
    const ImageInfo& info = dataset.images[*image];
    if (detection.segmentation.height != static_cast<std::uint32_t>(info.height) ||
        detection.segmentation.width != static_cast<std::uint32_t>(info.width)) {
      const Where segmentation = where.key("segmentation");
      json::fail(segmentation.key("size"),
                 "[" + std::to_string(detection.segmentation.height) + ", " +
                     std::to_string(detection.segmentation.width) + "]",
                 "differs from the image's size [" + std::to_string(info.height) + ", " + std::to_string(info.width) +
                     "]");
    }
  }
}

}  // namespace

std::vector<Detection> load_results(const std::string& path, const Dataset* dataset) {
  if (dataset != nullptr && !dataset->has_indexes()) {
    throw Error("load_results: the dataset's indexes are not built (call build_indexes())");
  }
  std::vector<Detection> detections;
  JsonStreamReader stream(path, JobContext{}, "read results");
  const std::string root = "results";
  const JsonPath root_path(root);
  stream.read_top_level_array(root, [&](value element, std::size_t index) {
    const Where where{path, root_path.index(index)};
    Detection detection = read_detection(element, where);
    if (dataset != nullptr) check_against(detection, *dataset, where);
    detections.push_back(std::move(detection));
  });
  return detections;
}

void write_results(const std::vector<Detection>& detections, const std::string& path) {
  AtomicFileWriter file(path);
  std::ostream& out = file.stream();
  out << '[';
  for (std::size_t i = 0; i < detections.size(); ++i) {
    const Detection& detection = detections[i];
    nlohmann::ordered_json entry;
    entry["image_id"] = detection.image_id;
    entry["category_id"] = detection.category_id;
    if (detection.has_bbox) {
      entry["bbox"] = {detection.bbox.x, detection.bbox.y, detection.bbox.w, detection.bbox.h};
    }
    entry["score"] = detection.score;
    if (detection.has_segmentation()) {
      entry["segmentation"] = nlohmann::ordered_json{
          {"size", {detection.segmentation.height, detection.segmentation.width}},
          {"counts", rle_to_string(detection.segmentation)}};
    }
    if (i > 0) out << ",\n";
    out << entry.dump();
  }
  out << "]\n";
  file.commit();
}

}  // namespace counterscope::data
