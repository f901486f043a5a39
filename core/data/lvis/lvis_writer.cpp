#include "core/data/lvis/lvis_writer.h"

#include <nlohmann/json.hpp>

#include "core/util/atomic_file.h"
#include "core/data/mask/mask_api.h"
#include "core/util/error.h"

namespace counterscope::data {
namespace {

using ordered_json = nlohmann::ordered_json;

bool is_lvis(DatasetFormat format) { return format != DatasetFormat::coco; }

ordered_json image_json(const ImageInfo& image, DatasetFormat format) {
  ordered_json out;
  out["id"] = image.id;
  out["width"] = image.width;
  out["height"] = image.height;
  if (!image.file_name.empty()) out["file_name"] = image.file_name;
  if (!image.coco_url.empty()) out["coco_url"] = image.coco_url;
  if (is_lvis(format) || !image.neg_category_ids.empty()) out["neg_category_ids"] = image.neg_category_ids;
  if (is_lvis(format) || !image.not_exhaustive_category_ids.empty()) {
    out["not_exhaustive_category_ids"] = image.not_exhaustive_category_ids;
  }
  return out;
}

ordered_json category_json(const Category& category, DatasetFormat format) {
  ordered_json out;
  out["id"] = category.id;
  out["name"] = category.name;
  if (!category.synset.empty()) out["synset"] = category.synset;
  if (is_lvis(format) || !category.synonyms.empty()) out["synonyms"] = category.synonyms;
  if (is_lvis(format) || !category.definition.empty()) out["def"] = category.definition;
  if (category.frequency != Frequency::unknown) out["frequency"] = std::string(1, frequency_letter(category.frequency));
  if (is_lvis(format) || category.image_count != 0) out["image_count"] = category.image_count;
  if (is_lvis(format) || category.instance_count != 0) out["instance_count"] = category.instance_count;
  return out;
}

ordered_json annotation_json(const Dataset& dataset, const Annotation& annotation) {
  ordered_json out;
  out["id"] = annotation.id;
  out["image_id"] = annotation.image_id;
  out["category_id"] = annotation.category_id;
  const SegmentationRef& segmentation = annotation.segmentation;
  if (segmentation.rle_index >= 0) {
    const Rle& rle = dataset.rles.at(static_cast<std::size_t>(segmentation.rle_index));
    out["segmentation"] = ordered_json{{"size", {rle.height, rle.width}}, {"counts", rle_to_string(rle)}};
  } else if (segmentation.polygon_count > 0) {
    ordered_json polygons = ordered_json::array();
    for (std::uint32_t k = 0; k < segmentation.polygon_count; ++k) {
      const std::size_t p = segmentation.first_polygon + k;
      if (p + 1 >= dataset.polygon_offsets.size()) {
        throw Error("annotation " + std::to_string(annotation.id) + ": polygon outside the dataset's polygons");
      }
      polygons.push_back(ordered_json(std::vector<double>(dataset.polygon_data(p),
                                                          dataset.polygon_data(p) + dataset.polygon_size(p))));
    }
    out["segmentation"] = std::move(polygons);
  } else {
    throw Error("annotation " + std::to_string(annotation.id) +
                " has no segmentation; LVIS and COCO instance files need one");
  }
  out["area"] = annotation.area;
  out["bbox"] = {annotation.bbox.x, annotation.bbox.y, annotation.bbox.w, annotation.bbox.h};
  if (dataset.format == DatasetFormat::coco || annotation.iscrowd) out["iscrowd"] = annotation.iscrowd ? 1 : 0;
  return out;
}

// Writes one array member element by element, so the whole document never exists as one JSON tree.
template <typename Items, typename ToJson>
void write_array(std::ostream& out, const char* key, const Items& items, ToJson&& to_json) {
  out << '"' << key << "\":[";
  bool first = true;
  for (const auto& item : items) {
    if (!first) out << ",\n";
    first = false;
    out << to_json(item).dump();
  }
  out << ']';
}

}  // namespace

void write_dataset(const Dataset& dataset, const std::string& path) {
  AtomicFileWriter file(path);
  std::ostream& out = file.stream();
  try {
    out << '{';
    write_array(out, "images", dataset.images, [&](const ImageInfo& image) { return image_json(image, dataset.format); });
    out << ",\n";
    write_array(out, "categories", dataset.categories,
                [&](const Category& category) { return category_json(category, dataset.format); });
    out << ",\n";
    write_array(out, "annotations", dataset.annotations,
                [&](const Annotation& annotation) { return annotation_json(dataset, annotation); });
    out << "}\n";
  } catch (const nlohmann::json::exception& error) {
    // dump() refuses strings that are not valid UTF-8.
    throw Error("cannot write " + path + ": " + error.what());
  }
  file.commit();
}

}  // namespace counterscope::data
