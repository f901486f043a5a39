#include "core/evaluation/prepared_evaluation.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/data/mask/mask_api.h"
#include "core/util/error.h"

namespace counterscope::evaluation {
namespace {

// lvis-api's get_ann_ids keeps an annotation only when 0 < area < inf (area_rng = [0, inf], strict), for
// the ground truth and for the detections alike.
bool passes_area_filter(double area) { return area > 0 && area < std::numeric_limits<double>::infinity(); }

bool contains(const std::vector<std::uint32_t>& sorted, std::uint32_t value) {
  return std::binary_search(sorted.begin(), sorted.end(), value);
}

std::vector<std::uint32_t> category_indexes(const data::Dataset& dataset, const std::vector<std::int64_t>& ids) {
  std::vector<std::uint32_t> indexes;
  indexes.reserve(ids.size());
  for (const auto id : ids) {
    if (const auto index = dataset.category_index(id)) indexes.push_back(static_cast<std::uint32_t>(*index));
  }
  std::sort(indexes.begin(), indexes.end());
  return indexes;
}

}  // namespace

PreparedEvaluation::PreparedEvaluation(const data::Dataset& dataset, const DetectionStore& store,
                                       int max_detections_per_image)
    : m_dataset(&dataset), m_store(&store) {
  m_categories_by_id.resize(dataset.categories.size());
  for (std::uint32_t i = 0; i < m_categories_by_id.size(); ++i) m_categories_by_id[i] = i;
  std::sort(m_categories_by_id.begin(), m_categories_by_id.end(), [&](std::uint32_t a, std::uint32_t b) {
    return dataset.categories[a].id < dataset.categories[b].id;
  });
  m_pairs_of_category.resize(dataset.categories.size());

  decide_area_rule(max_detections_per_image);

  std::vector<std::uint32_t> images_by_id(dataset.images.size());
  for (std::uint32_t i = 0; i < images_by_id.size(); ++i) images_by_id[i] = i;
  std::sort(images_by_id.begin(), images_by_id.end(),
            [&](std::uint32_t a, std::uint32_t b) { return dataset.images[a].id < dataset.images[b].id; });

  const auto& all_detections = store.detections();
  std::vector<std::uint32_t> truths;
  std::vector<PreparedDetection> candidates;
  std::vector<std::uint32_t> present;
  m_images.reserve(images_by_id.size());
  for (const auto image_index : images_by_id) {
    const auto& image = dataset.images[image_index];
    PreparedImage prepared_image;
    prepared_image.image_index = image_index;
    prepared_image.pair_begin = static_cast<std::uint32_t>(m_pairs.size());

    // Ground truth, file order within a category.
    truths.clear();
    for (const auto annotation_index : dataset.annotations_of_image(image_index)) {
      if (passes_area_filter(dataset.annotations[annotation_index].area)) truths.push_back(annotation_index);
    }
    std::sort(truths.begin(), truths.end());
    std::stable_sort(truths.begin(), truths.end(), [&](std::uint32_t a, std::uint32_t b) {
      return *dataset.category_index(dataset.annotations[a].category_id) <
             *dataset.category_index(dataset.annotations[b].category_id);
    });
    present.clear();
    for (const auto t : truths) {
      const auto category = static_cast<std::uint32_t>(*dataset.category_index(dataset.annotations[t].category_id));
      if (present.empty() || present.back() != category) present.push_back(category);
    }
    const auto negative = category_indexes(dataset, image.neg_category_ids);
    const auto not_exhaustive = category_indexes(dataset, image.not_exhaustive_category_ids);

    // Detections: the per-image limit, the area rule and filter, the federated filter.
    candidates.clear();
    const auto& arrived = store.of_image(image_index);
    const auto kept = limited_detections(image_index, max_detections_per_image);
    m_dropped_by_limit += arrived.size() - kept.size();
    for (const auto source : kept) {
      const auto& detection = all_detections[source];
      PreparedDetection prepared;
      prepared.source = source;
      prepared.score = detection.score;
      prepared.category_index = static_cast<std::uint32_t>(*dataset.category_index(detection.category_id));
      // Built only for a message: there can be millions of detections.
      auto field = [source] { return "detections[" + std::to_string(source) + "]"; };
      if (m_areas_from_boxes) {
        if (!detection.has_bbox) {
          throw InputError("detections", field() + ".bbox", "",
                           "missing, while the first detection has a bbox (lvis-api then takes every "
                           "detection's area from its box)");
        }
        prepared.box = detection.bbox;
        prepared.area = detection.bbox.w * detection.bbox.h;
      } else {
        if (!detection.has_segmentation()) {
          throw InputError("detections", field() + ".segmentation", "",
                           "missing, while the first detection has no bbox (lvis-api then takes every "
                           "detection's area from its mask)");
        }
        prepared.area = static_cast<double>(data::rle_area(detection.segmentation));
        prepared.box = detection.has_bbox ? detection.bbox : data::rle_to_box(detection.segmentation);
      }
      if (!passes_area_filter(prepared.area)) {
        ++m_dropped_by_area;
        continue;
      }
      if (!contains(present, prepared.category_index) && !contains(negative, prepared.category_index)) {
        ++m_dropped_by_federation;
        continue;
      }
      candidates.push_back(prepared);
    }
    // Within a category: highest score first, ties in arrival order (lvis-api's mergesort of the
    // per-image list, which keeps arrival order or the stable top-k order).
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const PreparedDetection& a, const PreparedDetection& b) {
                       if (a.category_index != b.category_index) return a.category_index < b.category_index;
                       return a.score > b.score;
                     });

    // Merge both sorted lists into (image, category) pairs.
    std::size_t t = 0, d = 0;
    auto truth_category = [&](std::size_t i) {
      return static_cast<std::uint32_t>(*dataset.category_index(dataset.annotations[truths[i]].category_id));
    };
    while (t < truths.size() || d < candidates.size()) {
      std::uint32_t category = std::numeric_limits<std::uint32_t>::max();
      if (t < truths.size()) category = truth_category(t);
      if (d < candidates.size()) category = std::min(category, candidates[d].category_index);
      ImageCategoryPair pair;
      pair.image_position = static_cast<std::uint32_t>(m_images.size());
      pair.category_index = category;
      pair.not_exhaustive = contains(not_exhaustive, category);
      pair.truth_begin = static_cast<std::uint32_t>(m_ground_truths.size());
      while (t < truths.size() && truth_category(t) == category) m_ground_truths.push_back(truths[t++]);
      pair.truth_end = static_cast<std::uint32_t>(m_ground_truths.size());
      pair.detection_begin = static_cast<std::uint32_t>(m_detections.size());
      while (d < candidates.size() && candidates[d].category_index == category) {
        m_detections.push_back(candidates[d++]);
      }
      pair.detection_end = static_cast<std::uint32_t>(m_detections.size());
      m_pairs_of_category[category].push_back(static_cast<std::uint32_t>(m_pairs.size()));
      m_pairs.push_back(pair);
    }
    prepared_image.pair_end = static_cast<std::uint32_t>(m_pairs.size());
    m_images.push_back(prepared_image);
  }
}

std::vector<std::uint32_t> PreparedEvaluation::limited_detections(std::size_t image_index,
                                                                  int max_detections_per_image) const {
  std::vector<std::uint32_t> kept = m_store->of_image(image_index);
  if (max_detections_per_image < 0 || kept.size() <= static_cast<std::size_t>(max_detections_per_image)) {
    return kept;
  }
  // lvis-api: sorted(anns, key=score, reverse=True)[:max_dets] — Python's sort is stable under reverse,
  // so equal scores keep their arrival order.
  const auto& detections = m_store->detections();
  std::stable_sort(kept.begin(), kept.end(), [&](std::uint32_t a, std::uint32_t b) {
    return detections[a].score > detections[b].score;
  });
  kept.resize(static_cast<std::size_t>(max_detections_per_image));
  return kept;
}

void PreparedEvaluation::decide_area_rule(int max_detections_per_image) {
  // lvis-api groups the results by image (images in order of first appearance), limits each image, and
  // then looks at result_anns[0]: the first kept detection of the first image.
  for (const auto image_index : m_store->image_arrival_order()) {
    const auto kept = limited_detections(image_index, max_detections_per_image);
    if (kept.empty()) continue;
    m_has_detections = true;
    m_areas_from_boxes = m_store->detections()[kept.front()].has_bbox;
    return;
  }
  m_has_detections = false;
}

const data::Rle& PreparedEvaluation::detection_mask(const PreparedDetection& detection, data::Rle& scratch) const {
  const auto& source = m_store->detections()[detection.source];
  if (source.has_segmentation()) return source.segmentation;
  // lvis-api gives a result without a mask the polygon [x1, y1, x1, y2, x2, y2, x2, y1] of its box.
  const auto& image = m_dataset->images[*m_dataset->image_index(source.image_id)];
  const auto& b = source.bbox;
  const double x2 = b.x + b.w, y2 = b.y + b.h;
  const std::vector<data::Polygon> polygons{{b.x, b.y, b.x, y2, x2, y2, x2, b.y}};
  scratch = data::rle_from_polygons(polygons, static_cast<std::uint32_t>(image.height),
                                    static_cast<std::uint32_t>(image.width));
  return scratch;
}

}  // namespace counterscope::evaluation
