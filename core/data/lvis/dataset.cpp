#include "core/data/lvis/dataset.h"

#include <algorithm>
#include <limits>

#include "core/data/mask/mask_api.h"
#include "core/util/error.h"

namespace counterscope::data {
namespace {

std::string source_of(const Dataset& dataset) {
  return dataset.source_path.empty() ? std::string("dataset") : dataset.source_path;
}

std::string indexed(const char* array, std::size_t index, const char* field) {
  return std::string(array) + "[" + std::to_string(index) + "]" + (field[0] != '\0' ? "." : "") + field;
}

}  // namespace

const char* frequency_name(Frequency frequency) {
  switch (frequency) {
    case Frequency::rare: return "rare";
    case Frequency::common: return "common";
    case Frequency::frequent: return "frequent";
    case Frequency::unknown: break;
  }
  return "unknown";
}

char frequency_letter(Frequency frequency) {
  switch (frequency) {
    case Frequency::rare: return 'r';
    case Frequency::common: return 'c';
    case Frequency::frequent: return 'f';
    case Frequency::unknown: break;
  }
  return '?';
}

void Dataset::build_indexes() {
  m_indexes_built = false;
  const std::string source = source_of(*this);
  if (images.size() > std::numeric_limits<std::uint32_t>::max() ||
      annotations.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw InputError(source, "", std::to_string(annotations.size()), "too many images or annotations");
  }
  m_image_by_id.clear();
  m_image_by_id.reserve(images.size());
  for (std::size_t i = 0; i < images.size(); ++i) {
    const auto [it, inserted] = m_image_by_id.emplace(images[i].id, static_cast<std::uint32_t>(i));
    if (!inserted) {
      throw InputError(source, indexed("images", i, "id"), std::to_string(images[i].id),
                       "duplicate image id (also images[" + std::to_string(it->second) + "])");
    }
  }
  m_category_by_id.clear();
  m_category_by_id.reserve(categories.size());
  for (std::size_t c = 0; c < categories.size(); ++c) {
    const auto [it, inserted] = m_category_by_id.emplace(categories[c].id, static_cast<std::uint32_t>(c));
    if (!inserted) {
      throw InputError(source, indexed("categories", c, "id"), std::to_string(categories[c].id),
                       "duplicate category id (also categories[" + std::to_string(it->second) + "])");
    }
  }
  for (std::size_t i = 0; i < images.size(); ++i) {
    const auto check_list = [&](const std::vector<std::int64_t>& ids, const char* field) {
      for (std::size_t k = 0; k < ids.size(); ++k) {
        if (m_category_by_id.count(ids[k]) == 0) {
          throw InputError(source, indexed("images", i, field) + "[" + std::to_string(k) + "]",
                           std::to_string(ids[k]), "no category has this id");
        }
      }
    };
    check_list(images[i].neg_category_ids, "neg_category_ids");
    check_list(images[i].not_exhaustive_category_ids, "not_exhaustive_category_ids");
  }

  m_annotations_by_image.assign(images.size(), {});
  m_images_by_category.assign(categories.size(), {});
  for (std::size_t a = 0; a < annotations.size(); ++a) {
    const Annotation& annotation = annotations[a];
    const auto image = m_image_by_id.find(annotation.image_id);
    if (image == m_image_by_id.end()) {
      throw InputError(source, indexed("annotations", a, "image_id"), std::to_string(annotation.image_id),
                       "no image has this id");
    }
    const auto category = m_category_by_id.find(annotation.category_id);
    if (category == m_category_by_id.end()) {
      throw InputError(source, indexed("annotations", a, "category_id"), std::to_string(annotation.category_id),
                       "no category has this id");
    }
    m_annotations_by_image[image->second].push_back(static_cast<std::uint32_t>(a));
    std::vector<std::uint32_t>& images_of = m_images_by_category[category->second];
    // Annotations of one image usually come together: skip the repeat cheaply, sort+unique below.
    if (images_of.empty() || images_of.back() != image->second) images_of.push_back(image->second);
  }
  // Duplicate annotation ids: a sorted copy costs less memory than a hash set (millions of annotations).
  std::vector<std::pair<std::int64_t, std::uint32_t>> annotation_ids(annotations.size());
  for (std::size_t a = 0; a < annotations.size(); ++a) {
    annotation_ids[a] = {annotations[a].id, static_cast<std::uint32_t>(a)};
  }
  std::sort(annotation_ids.begin(), annotation_ids.end());
  for (std::size_t k = 1; k < annotation_ids.size(); ++k) {
    if (annotation_ids[k].first == annotation_ids[k - 1].first) {
      throw InputError(source, indexed("annotations", annotation_ids[k].second, "id"),
                       std::to_string(annotation_ids[k].first),
                       "duplicate annotation id (also annotations[" + std::to_string(annotation_ids[k - 1].second) +
                           "])");
    }
  }
  for (std::vector<std::uint32_t>& images_of : m_images_by_category) {
    std::sort(images_of.begin(), images_of.end());
    images_of.erase(std::unique(images_of.begin(), images_of.end()), images_of.end());
  }
  m_indexes_built = true;
}

std::optional<std::size_t> Dataset::image_index(std::int64_t image_id) const {
  const auto it = m_image_by_id.find(image_id);
  if (it == m_image_by_id.end()) return std::nullopt;
  return it->second;
}

std::optional<std::size_t> Dataset::category_index(std::int64_t category_id) const {
  const auto it = m_category_by_id.find(category_id);
  if (it == m_category_by_id.end()) return std::nullopt;
  return it->second;
}

const std::vector<std::uint32_t>& Dataset::annotations_of_image(std::size_t image_index) const {
  if (image_index >= m_annotations_by_image.size()) {
    throw Error("annotations_of_image: image index " + std::to_string(image_index) + " out of range (" +
                std::to_string(m_annotations_by_image.size()) + " indexed images; call build_indexes())");
  }
  return m_annotations_by_image[image_index];
}

const std::vector<std::uint32_t>& Dataset::images_of_category(std::size_t category_index) const {
  if (category_index >= m_images_by_category.size()) {
    throw Error("images_of_category: category index " + std::to_string(category_index) + " out of range (" +
                std::to_string(m_images_by_category.size()) + " indexed categories; call build_indexes())");
  }
  return m_images_by_category[category_index];
}

std::vector<std::vector<double>> Dataset::polygons_of(const Annotation& annotation) const {
  std::vector<std::vector<double>> polygons;
  const SegmentationRef& segmentation = annotation.segmentation;
  if (static_cast<std::size_t>(segmentation.first_polygon) + segmentation.polygon_count >= polygon_offsets.size() &&
      segmentation.polygon_count > 0) {
    throw Error("annotation " + std::to_string(annotation.id) + ": polygon range outside the dataset's polygons");
  }
  polygons.reserve(segmentation.polygon_count);
  for (std::uint32_t k = 0; k < segmentation.polygon_count; ++k) {
    const std::size_t p = segmentation.first_polygon + k;
    polygons.emplace_back(polygon_data(p), polygon_data(p) + polygon_size(p));
  }
  return polygons;
}

Rle Dataset::mask_of(const Annotation& annotation) const {
  const std::string source = source_of(*this);
  const std::string field = "annotation " + std::to_string(annotation.id);
  if (annotation.segmentation.rle_index >= 0) {
    if (static_cast<std::size_t>(annotation.segmentation.rle_index) >= rles.size()) {
      throw Error(field + ": RLE index outside the dataset's RLEs");
    }
    return rles[static_cast<std::size_t>(annotation.segmentation.rle_index)];
  }
  if (annotation.segmentation.polygon_count == 0) {
    throw InputError(source, field, "", "the annotation has no segmentation");
  }
  const auto image = image_index(annotation.image_id);
  if (!image) {
    throw InputError(source, field + ".image_id", std::to_string(annotation.image_id),
                     "no image has this id (or build_indexes() was not called)");
  }
  const ImageInfo& info = images[*image];
  return rle_from_polygons(polygons_of(annotation), static_cast<std::uint32_t>(info.height),
                           static_cast<std::uint32_t>(info.width), source + ": " + field);
}

}  // namespace counterscope::data
