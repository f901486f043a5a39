#pragma once
// An LVIS (v1, v0.5) or COCO instances dataset held in compact arrays with indexes by image and by category.
// Loaded with simdjson On Demand (see lvis_loader.h); written back with nlohmann/json (lvis_writer.h).

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/data/mask/rle.h"

namespace counterscope::data {

/// LVIS frequency group of a category (from the "frequency" field: r, c, f).
enum class Frequency : std::uint8_t { rare, common, frequent, unknown };

const char* frequency_name(Frequency frequency);  ///< "rare", "common", "frequent", "unknown"
char frequency_letter(Frequency frequency);       ///< 'r', 'c', 'f', '?'

/// Which annotation format a file was read as.
enum class DatasetFormat : std::uint8_t { lvis_v1, lvis_v05, coco };

struct Category {
  std::int64_t id = 0;
  std::string name;
  std::vector<std::string> synonyms;
  std::string definition;  ///< "def"
  std::string synset;      ///< WordNet synset (LVIS), e.g. "acorn.n.01"; may be empty
  Frequency frequency = Frequency::unknown;
  std::int64_t image_count = 0;     ///< as written in the file (0 when absent)
  std::int64_t instance_count = 0;  ///< as written in the file (0 when absent)
};

struct ImageInfo {
  std::int64_t id = 0;
  std::int32_t width = 0;
  std::int32_t height = 0;
  std::string file_name;  ///< v0.5 / COCO; may be empty in v1
  std::string coco_url;   ///< v1; may be empty
  std::vector<std::int64_t> neg_category_ids;
  std::vector<std::int64_t> not_exhaustive_category_ids;
};

/// Segmentation of one annotation: polygons (stored in Dataset::polygon_coordinates) or an RLE.
struct SegmentationRef {
  std::uint32_t first_polygon = 0;  ///< index into Dataset::polygon_offsets
  std::uint32_t polygon_count = 0;  ///< 0 when the annotation carries an RLE or nothing
  std::int32_t rle_index = -1;      ///< index into Dataset::rles, or -1
};

struct Annotation {
  std::int64_t id = 0;
  std::int64_t image_id = 0;
  std::int64_t category_id = 0;
  BoxXywh bbox;
  double area = 0;
  bool iscrowd = false;
  SegmentationRef segmentation;
};

class Dataset {
 public:
  DatasetFormat format = DatasetFormat::lvis_v1;
  std::string source_path;  ///< the file it was read from (for messages)

  std::vector<ImageInfo> images;
  std::vector<Category> categories;
  std::vector<Annotation> annotations;

  /// All polygon coordinates of all annotations, flat; polygon p spans
  /// [polygon_offsets[p], polygon_offsets[p + 1]).
  std::vector<double> polygon_coordinates;
  std::vector<std::uint64_t> polygon_offsets{0};
  std::vector<Rle> rles;

  /// Number of polygon coordinates of polygon `p` and a pointer to them.
  std::size_t polygon_size(std::size_t p) const { return polygon_offsets[p + 1] - polygon_offsets[p]; }
  const double* polygon_data(std::size_t p) const { return polygon_coordinates.data() + polygon_offsets[p]; }

  /// Rebuilds the indexes below from images/categories/annotations. Throws InputError (source =
  /// source_path, field = JSON path such as "annotations[12].image_id") on duplicate ids, on annotations
  /// naming an unknown image or category, and on neg/not-exhaustive lists naming an unknown category.
  void build_indexes();

  std::optional<std::size_t> image_index(std::int64_t image_id) const;
  std::optional<std::size_t> category_index(std::int64_t category_id) const;
  /// Annotation indexes of the image at `image_index` (position in `images`).
  const std::vector<std::uint32_t>& annotations_of_image(std::size_t image_index) const;
  /// Image indexes that contain the category at `category_index` (position in `categories`), sorted.
  const std::vector<std::uint32_t>& images_of_category(std::size_t category_index) const;

  /// The polygons of an annotation as pycocotools would receive them.
  std::vector<std::vector<double>> polygons_of(const Annotation& annotation) const;
  /// The annotation's mask as an RLE in its image's size (polygons rasterised and merged, or its RLE).
  /// Needs the indexes (build_indexes); throws InputError for an annotation without segmentation.
  Rle mask_of(const Annotation& annotation) const;

  /// True once build_indexes() has succeeded (callers that edit the arrays afterwards must call it again).
  bool has_indexes() const { return m_indexes_built; }

 private:
  std::unordered_map<std::int64_t, std::uint32_t> m_image_by_id;
  std::unordered_map<std::int64_t, std::uint32_t> m_category_by_id;
  std::vector<std::vector<std::uint32_t>> m_annotations_by_image;
  std::vector<std::vector<std::uint32_t>> m_images_by_category;
  bool m_indexes_built = false;
};

}  // namespace counterscope::data
