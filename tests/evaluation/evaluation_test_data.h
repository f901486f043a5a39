#pragma once
// Hand-built LVIS datasets and detections for the evaluation tests: boxes whose ground-truth masks are the
// same boxes as polygons, so that bbox and segm give the same IoUs where the numbers are worked out by hand.

#include <cstdint>
#include <string>
#include <vector>

#include "core/data/lvis/dataset.h"
#include "core/data/lvis/results.h"
#include "core/data/mask/mask_api.h"

namespace counterscope::evaluation::testing {

class DatasetBuilder {
 public:
  DatasetBuilder() { m_dataset.source_path = "hand-built.json"; }

  DatasetBuilder& category(std::int64_t id, data::Frequency frequency, const std::string& name = {}) {
    data::Category category;
    category.id = id;
    category.name = name.empty() ? "category_" + std::to_string(id) : name;
    category.frequency = frequency;
    m_dataset.categories.push_back(category);
    return *this;
  }

  DatasetBuilder& image(std::int64_t id, std::vector<std::int64_t> negative = {},
                        std::vector<std::int64_t> not_exhaustive = {}, int width = 200, int height = 100) {
    data::ImageInfo image;
    image.id = id;
    image.width = width;
    image.height = height;
    image.neg_category_ids = std::move(negative);
    image.not_exhaustive_category_ids = std::move(not_exhaustive);
    m_dataset.images.push_back(image);
    return *this;
  }

  /// A ground truth box (x, y, w, h) with the box as its polygon; `area` defaults to w * h.
  DatasetBuilder& box(std::int64_t id, std::int64_t image_id, std::int64_t category_id, data::BoxXywh b,
                      double area = -1) {
    data::Annotation annotation;
    annotation.id = id;
    annotation.image_id = image_id;
    annotation.category_id = category_id;
    annotation.bbox = b;
    annotation.area = area >= 0 ? area : b.w * b.h;
    annotation.segmentation.first_polygon = static_cast<std::uint32_t>(m_dataset.polygon_offsets.size() - 1);
    annotation.segmentation.polygon_count = 1;
    for (const double v : {b.x, b.y, b.x, b.y + b.h, b.x + b.w, b.y + b.h, b.x + b.w, b.y}) {
      m_dataset.polygon_coordinates.push_back(v);
    }
    m_dataset.polygon_offsets.push_back(m_dataset.polygon_coordinates.size());
    m_dataset.annotations.push_back(annotation);
    return *this;
  }

  data::Dataset build() {
    data::Dataset dataset = m_dataset;
    dataset.build_indexes();
    return dataset;
  }

 private:
  data::Dataset m_dataset;
};

/// A detection with a box and no mask.
inline data::Detection box_detection(std::int64_t image_id, std::int64_t category_id, double score, data::BoxXywh b) {
  data::Detection detection;
  detection.image_id = image_id;
  detection.category_id = category_id;
  detection.score = score;
  detection.bbox = b;
  detection.has_bbox = true;
  return detection;
}

/// A detection whose mask is the box `mask` rasterised in an image of height x width; with `with_box`, it also
/// carries the box `b` (which may differ from the mask, to test lvis-api's area rule).
inline data::Detection mask_detection(std::int64_t image_id, std::int64_t category_id, double score,
                                      data::BoxXywh mask, int width = 200, int height = 100, bool with_box = false,
                                      data::BoxXywh b = {}) {
  data::Detection detection;
  detection.image_id = image_id;
  detection.category_id = category_id;
  detection.score = score;
  detection.segmentation = data::rle_from_box(mask, static_cast<std::uint32_t>(height), static_cast<std::uint32_t>(width));
  detection.has_bbox = with_box;
  if (with_box) detection.bbox = b;
  return detection;
}

}  // namespace counterscope::evaluation::testing
