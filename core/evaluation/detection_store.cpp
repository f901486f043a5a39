#include "core/evaluation/detection_store.h"

#include <cmath>
#include <limits>

#include "core/util/error.h"

namespace counterscope::evaluation {
namespace {

std::string number_text(double value) {
  if (std::isnan(value)) return "NaN";
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.17g", value);
  return buffer;
}

void validate_detection(const data::Dataset& dataset, const data::ImageInfo& image,
                        const data::Detection& detection, const std::string& source, std::size_t position) {
  // The field name is only built when a message needs it: results can hold millions of detections.
  auto field_of = [position](const char* member) {
    return "detections[" + std::to_string(position) + "]" + member;
  };
  if (!dataset.category_index(detection.category_id)) {
    throw InputError(source, field_of(".category_id"), std::to_string(detection.category_id),
                     "no category with this id in " + dataset.source_path);
  }
  if (!std::isfinite(detection.score) || detection.score < 0) {
    throw InputError(source, field_of(".score"), number_text(detection.score),
                     "a score must be a finite number >= 0");
  }
  if (detection.has_bbox) {
    const auto& box = detection.bbox;
    if (!std::isfinite(box.x) || !std::isfinite(box.y) || !std::isfinite(box.w) || !std::isfinite(box.h)) {
      throw InputError(source, field_of(".bbox"),
                       "[" + number_text(box.x) + ", " + number_text(box.y) + ", " + number_text(box.w) +
                           ", " + number_text(box.h) + "]",
                       "box coordinates must be finite");
    }
  }
  if (detection.has_segmentation()) {
    const auto& rle = detection.segmentation;
    if (rle.height != static_cast<std::uint32_t>(image.height) ||
        rle.width != static_cast<std::uint32_t>(image.width)) {
      throw InputError(source, field_of(".segmentation.size"),
                       "[" + std::to_string(rle.height) + ", " + std::to_string(rle.width) + "]",
                       "differs from the size of image " + std::to_string(image.id) + " [" +
                           std::to_string(image.height) + ", " + std::to_string(image.width) + "]");
    }
    std::uint64_t total = 0;
    for (const auto count : rle.counts) total += count;
    if (total != static_cast<std::uint64_t>(rle.height) * rle.width) {
      throw InputError(source, field_of(".segmentation.counts"), "sum " + std::to_string(total),
                       "malformed RLE: the runs must cover height*width = " +
                           std::to_string(static_cast<std::uint64_t>(rle.height) * rle.width) + " pixels");
    }
  }
  if (!detection.has_bbox && !detection.has_segmentation()) {
    throw InputError(source, field_of(""), "", "a detection needs a bbox or a segmentation");
  }
}

}  // namespace

void DetectionStore::clear() {
  m_detections.clear();
  m_by_image.clear();
  m_image_arrival_order.clear();
}

const std::vector<std::uint32_t>& DetectionStore::of_image(std::size_t image_index) const {
  static const std::vector<std::uint32_t> none;
  return image_index < m_by_image.size() ? m_by_image[image_index] : none;
}

void DetectionStore::add(const data::Dataset& dataset, std::int64_t image_id,
                         std::vector<data::Detection> detections, const std::string& source) {
  const auto image_index = dataset.image_index(image_id);
  if (!image_index) {
    throw InputError(source, "image_id", std::to_string(image_id),
                     "no image with this id in " + dataset.source_path);
  }
  const auto& image = dataset.images[*image_index];
  if (m_detections.size() + detections.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw InputError(source, "", std::to_string(m_detections.size() + detections.size()),
                     "too many detections for one evaluation");
  }
  // Validate everything first so that a bad detection leaves the store unchanged.
  for (std::size_t i = 0; i < detections.size(); ++i) {
    auto& detection = detections[i];
    const std::size_t position = m_detections.size() + i;
    if (detection.image_id == 0) detection.image_id = image_id;
    if (detection.image_id != image_id) {
      throw InputError(source, "detections[" + std::to_string(position) + "].image_id", std::to_string(detection.image_id),
                       "given with the detections of image " + std::to_string(image_id));
    }
    validate_detection(dataset, image, detection, source, position);
  }
  if (m_by_image.size() < dataset.images.size()) m_by_image.resize(dataset.images.size());
  for (auto& detection : detections) append(*image_index, std::move(detection));
}

void DetectionStore::add_in_order(const data::Dataset& dataset, std::vector<data::Detection> detections,
                                  const std::string& source) {
  if (m_detections.size() + detections.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw InputError(source, "", std::to_string(m_detections.size() + detections.size()),
                     "too many detections for one evaluation");
  }
  std::vector<std::uint32_t> image_indexes(detections.size());
  for (std::size_t i = 0; i < detections.size(); ++i) {
    const std::size_t position = m_detections.size() + i;
    const auto image_index = dataset.image_index(detections[i].image_id);
    if (!image_index) {
      throw InputError(source, "detections[" + std::to_string(position) + "].image_id", std::to_string(detections[i].image_id),
                       "no image with this id in " + dataset.source_path);
    }
    validate_detection(dataset, dataset.images[*image_index], detections[i], source, position);
    image_indexes[i] = static_cast<std::uint32_t>(*image_index);
  }
  if (m_by_image.size() < dataset.images.size()) m_by_image.resize(dataset.images.size());
  for (std::size_t i = 0; i < detections.size(); ++i) append(image_indexes[i], std::move(detections[i]));
}

void DetectionStore::append(std::size_t image_index, data::Detection detection) {
  auto& of_this_image = m_by_image[image_index];
  if (of_this_image.empty()) m_image_arrival_order.push_back(static_cast<std::uint32_t>(image_index));
  of_this_image.push_back(static_cast<std::uint32_t>(m_detections.size()));
  m_detections.push_back(std::move(detection));
}

}  // namespace counterscope::evaluation
