#include "core/data/lvis/lvis_loader.h"

#include <cstdint>
#include <new>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "core/data/lvis/json_stream.h"
#include "core/data/lvis/json_values.h"
#include "core/data/mask/mask_api.h"
#include "core/util/error.h"

namespace counterscope::data {
namespace {

using simdjson::ondemand::json_type;
using simdjson::ondemand::value;
using json::Where;

// Tracks which keys of one JSON object were seen, to reject duplicates and report missing required keys.
class KeySet {
 public:
  /// Marks key number `bit` as seen; fails on a repeated key.
  void see(unsigned bit, const Where& where) {
    if (m_seen & (1u << bit)) json::fail(where, "", "duplicate key in this object");
    m_seen |= 1u << bit;
  }
  bool has(unsigned bit) const { return (m_seen & (1u << bit)) != 0; }
  void require(unsigned bit, const Where& where) const {
    if (!has(bit)) json::fail(where, "", "missing (required)");
  }

 private:
  std::uint32_t m_seen = 0;
};

class LvisReader {
 public:
  LvisReader(const std::string& path, Dataset& dataset) : m_file(path), m_dataset(dataset) {}

  /// Called when the "annotations" array starts, with the number of bytes left in the file.
  void reserve_coordinates(std::uint64_t bytes_left);

  void image(value element, std::size_t index);
  void category(value element, std::size_t index);
  void annotation(value element, std::size_t index);
  void finish();

 private:
  void segmentation(value element, const Where& where, Annotation& annotation);
  void polygons(simdjson::ondemand::array list, const Where& where, Annotation& annotation);
  void rle(simdjson::ondemand::object object, const Where& where, Annotation& annotation);
  void detect_format();

  const std::string& m_file;
  Dataset& m_dataset;
  std::vector<std::uint8_t> m_image_has_lists;  // bit 0: neg_category_ids, bit 1: not_exhaustive_category_ids
  std::vector<std::uint8_t> m_category_has_frequency;
};

std::int32_t read_dimension(value element, const Where& where) {
  const std::int64_t size = json::read_int64(element, where);
  if (size <= 0 || size > std::numeric_limits<std::int32_t>::max()) {
    json::fail(where, std::to_string(size), "must be a positive image size");
  }
  return static_cast<std::int32_t>(size);
}

void LvisReader::image(value element, std::size_t index) {
  const JsonPath root("images");
  const Where where{m_file, root.index(index)};
  ImageInfo info;
  KeySet keys;
  enum : unsigned { id, width, height, file_name, coco_url, neg, not_exhaustive };
  json::for_each_field(json::read_object(element, where), where, [&](std::string_view key, value field) {
    if (key == "id") {
      keys.see(id, where.key("id"));
      info.id = json::read_int64(field, where.key("id"));
    } else if (key == "width") {
      keys.see(width, where.key("width"));
      info.width = read_dimension(field, where.key("width"));
    } else if (key == "height") {
      keys.see(height, where.key("height"));
      info.height = read_dimension(field, where.key("height"));
    } else if (key == "file_name") {
      keys.see(file_name, where.key("file_name"));
      info.file_name = json::read_string(field, where.key("file_name"));
    } else if (key == "coco_url") {
      keys.see(coco_url, where.key("coco_url"));
      info.coco_url = json::read_string(field, where.key("coco_url"));
    } else if (key == "neg_category_ids") {
      keys.see(neg, where.key("neg_category_ids"));
      info.neg_category_ids = json::read_int64_list(field, where.key("neg_category_ids"));
    } else if (key == "not_exhaustive_category_ids") {
      keys.see(not_exhaustive, where.key("not_exhaustive_category_ids"));
      info.not_exhaustive_category_ids = json::read_int64_list(field, where.key("not_exhaustive_category_ids"));
    }
  });
  keys.require(id, where.key("id"));
  keys.require(width, where.key("width"));
  keys.require(height, where.key("height"));
  if (info.file_name.empty() && info.coco_url.empty()) {
    json::fail(where, "", "the image has neither a \"coco_url\" nor a \"file_name\"");
  }
  m_image_has_lists.push_back(static_cast<std::uint8_t>((keys.has(neg) ? 1 : 0) | (keys.has(not_exhaustive) ? 2 : 0)));
  m_dataset.images.push_back(std::move(info));
}

Frequency parse_frequency(value field, const Where& where) {
  const std::string letter = json::read_string(field, where);
  if (letter == "r") return Frequency::rare;
  if (letter == "c") return Frequency::common;
  if (letter == "f") return Frequency::frequent;
  json::fail(where, quote_for_message(letter), "expected \"r\", \"c\" or \"f\"");
}

void LvisReader::category(value element, std::size_t index) {
  const JsonPath root("categories");
  const Where where{m_file, root.index(index)};
  Category category;
  KeySet keys;
  enum : unsigned { id, name, synonyms, definition, synset, frequency, image_count, instance_count };
  json::for_each_field(json::read_object(element, where), where, [&](std::string_view key, value field) {
    if (key == "id") {
      keys.see(id, where.key("id"));
      category.id = json::read_int64(field, where.key("id"));
    } else if (key == "name") {
      keys.see(name, where.key("name"));
      category.name = json::read_string(field, where.key("name"));
    } else if (key == "synonyms") {
      keys.see(synonyms, where.key("synonyms"));
      category.synonyms = json::read_string_list(field, where.key("synonyms"));
    } else if (key == "def") {
      keys.see(definition, where.key("def"));
      category.definition = json::read_string(field, where.key("def"));
    } else if (key == "synset") {
      keys.see(synset, where.key("synset"));
      category.synset = json::read_string(field, where.key("synset"));
    } else if (key == "frequency") {
      keys.see(frequency, where.key("frequency"));
      category.frequency = parse_frequency(field, where.key("frequency"));
    } else if (key == "image_count") {
      keys.see(image_count, where.key("image_count"));
      category.image_count = json::read_int64(field, where.key("image_count"));
    } else if (key == "instance_count") {
      keys.see(instance_count, where.key("instance_count"));
      category.instance_count = json::read_int64(field, where.key("instance_count"));
    }
  });
  keys.require(id, where.key("id"));
  keys.require(name, where.key("name"));
  if (category.name.empty()) json::fail(where.key("name"), "\"\"", "the category name is empty");
  m_category_has_frequency.push_back(keys.has(frequency) ? 1 : 0);
  m_dataset.categories.push_back(std::move(category));
}

void LvisReader::annotation(value element, std::size_t index) {
  const JsonPath root("annotations");
  const Where where{m_file, root.index(index)};
  Annotation annotation;
  KeySet keys;
  enum : unsigned { id, image_id, category_id, bbox, area, iscrowd, segmentation };
  json::for_each_field(json::read_object(element, where), where, [&](std::string_view key, value field) {
    if (key == "segmentation") {
      keys.see(segmentation, where.key("segmentation"));
      this->segmentation(field, where.key("segmentation"), annotation);
    } else if (key == "id") {
      keys.see(id, where.key("id"));
      annotation.id = json::read_int64(field, where.key("id"));
    } else if (key == "image_id") {
      keys.see(image_id, where.key("image_id"));
      annotation.image_id = json::read_int64(field, where.key("image_id"));
    } else if (key == "category_id") {
      keys.see(category_id, where.key("category_id"));
      annotation.category_id = json::read_int64(field, where.key("category_id"));
    } else if (key == "bbox") {
      keys.see(bbox, where.key("bbox"));
      double box[4];
      json::read_box(field, where.key("bbox"), box);
      annotation.bbox = BoxXywh{box[0], box[1], box[2], box[3]};
    } else if (key == "area") {
      keys.see(area, where.key("area"));
      annotation.area = json::read_non_negative(field, where.key("area"));
    } else if (key == "iscrowd") {
      keys.see(iscrowd, where.key("iscrowd"));
      annotation.iscrowd = json::read_flag(field, where.key("iscrowd"));
    }
  });
  keys.require(id, where.key("id"));
  keys.require(image_id, where.key("image_id"));
  keys.require(category_id, where.key("category_id"));
  keys.require(bbox, where.key("bbox"));
  keys.require(area, where.key("area"));
  keys.require(segmentation, where.key("segmentation"));
  m_dataset.annotations.push_back(annotation);
}

void LvisReader::reserve_coordinates(std::uint64_t bytes_left) {
  // Every coordinate takes at least two bytes of JSON ("1,"), so this bounds the count. The reservation is
  // address space only: pages are mapped when first written, so the peak memory is the final array itself,
  // without the old+new copies of a growing vector (the largest array of a dataset, ~150 MB for LVIS v1 val).
  const std::uint64_t bound = m_dataset.polygon_coordinates.size() + bytes_left / 2;
  try {
    m_dataset.polygon_coordinates.reserve(static_cast<std::size_t>(bound));
  } catch (const std::exception&) {
    // The system refuses such a reservation (strict overcommit): grow as usual.
  }
}

void LvisReader::segmentation(value element, const Where& where, Annotation& annotation) {
  json_type type;
  if (auto error = element.type().get(type)) json::fail_syntax(where, error);
  if (type == json_type::array) {
    polygons(json::read_array(element, where), where, annotation);
  } else if (type == json_type::object) {
    rle(json::read_object(element, where), where, annotation);
  } else {
    json::fail(where, json::describe(element), "expected a list of polygons or an RLE object");
  }
}

void LvisReader::polygons(simdjson::ondemand::array list, const Where& where, Annotation& annotation) {
  std::vector<std::uint64_t>& offsets = m_dataset.polygon_offsets;
  if (offsets.size() - 1 > std::numeric_limits<std::uint32_t>::max() - 1) {
    json::fail(where, "", "too many polygons in one dataset");
  }
  annotation.segmentation.first_polygon = static_cast<std::uint32_t>(offsets.size() - 1);
  json::for_each_element(list, where, [&](value polygon_value, std::size_t k) {
    const Where polygon_where = where.index(k);
    std::vector<double>& coordinates = m_dataset.polygon_coordinates;
    const std::uint64_t start = coordinates.size();
    // The hot loop of the loader: simdjson delimits the polygon, its numbers are converted in one pass.
    std::string_view raw;
    if (auto error = json::read_array(polygon_value, polygon_where).raw_json().get(raw)) {
      json::fail_syntax(polygon_where, error);
    }
    json::append_numbers(raw, polygon_where, coordinates);
    const std::uint64_t count = coordinates.size() - start;
    if (count < 6 || count % 2 != 0) {
      json::fail(polygon_where, std::to_string(count) + " coordinates",
                 "degenerate polygon: needs an even number of at least 6 coordinates (3 points)");
    }
    offsets.push_back(coordinates.size());
    ++annotation.segmentation.polygon_count;
  });
  if (annotation.segmentation.polygon_count == 0) json::fail(where, "[]", "empty segmentation (no polygon)");
}

void LvisReader::rle(simdjson::ondemand::object object, const Where& where, Annotation& annotation) {
  KeySet keys;
  enum : unsigned { size, counts };
  std::uint32_t height = 0, width = 0;
  std::string compressed;
  std::vector<std::uint32_t> runs;
  bool is_compressed = false;
  json::for_each_field(object, where, [&](std::string_view key, value field) {
    if (key == "size") {
      keys.see(size, where.key("size"));
      json::read_size(field, where.key("size"), height, width);
    } else if (key == "counts") {
      const Where counts_where = where.key("counts");
      keys.see(counts, counts_where);
      json::read_rle_counts(field, counts_where, is_compressed, compressed, runs);
    }
  });
  keys.require(size, where.key("size"));
  keys.require(counts, where.key("counts"));
  Rle mask;
  try {
    mask = is_compressed ? rle_from_string(compressed, height, width) : rle_from_counts(std::move(runs), height, width);
  } catch (const InputError& error) {
    json::fail(where.key("counts"), is_compressed ? quote_for_message(json::escape_bytes(compressed), 40) : "",
               std::string("invalid RLE (") + error.what() + ")");
  }
  if (m_dataset.rles.size() >= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    json::fail(where, "", "too many RLE masks in one dataset");
  }
  annotation.segmentation.rle_index = static_cast<std::int32_t>(m_dataset.rles.size());
  m_dataset.rles.push_back(std::move(mask));
}

void LvisReader::detect_format() {
  std::size_t with_frequency = 0;
  for (std::uint8_t has : m_category_has_frequency) with_frequency += has;
  if (with_frequency == 0) {
    m_dataset.format = DatasetFormat::coco;
    return;
  }
  const JsonPath categories_root("categories");
  if (with_frequency != m_category_has_frequency.size()) {
    for (std::size_t c = 0; c < m_category_has_frequency.size(); ++c) {
      if (!m_category_has_frequency[c]) {
        const JsonPath path = categories_root.index(c);
        json::fail(Where{m_file, path.key("frequency")}, "",
                   "missing, while other categories have one (an LVIS file needs it on every category)");
      }
    }
  }
  bool any_file_name = false;
  for (const ImageInfo& image : m_dataset.images) any_file_name = any_file_name || !image.file_name.empty();
  // LVIS v1 names images only by coco_url; v0.5 also carries COCO 2014 file names.
  m_dataset.format = any_file_name ? DatasetFormat::lvis_v05 : DatasetFormat::lvis_v1;
  const JsonPath images_root("images");
  for (std::size_t i = 0; i < m_image_has_lists.size(); ++i) {
    const JsonPath path = images_root.index(i);
    if (!(m_image_has_lists[i] & 1)) {
      json::fail(Where{m_file, path.key("neg_category_ids")}, "", "missing (required in LVIS files)");
    }
    if (!(m_image_has_lists[i] & 2)) {
      json::fail(Where{m_file, path.key("not_exhaustive_category_ids")}, "", "missing (required in LVIS files)");
    }
  }
}

void LvisReader::finish() {
  detect_format();
  m_dataset.build_indexes();
  const JsonPath annotations_root("annotations");
  for (std::size_t a = 0; a < m_dataset.annotations.size(); ++a) {
    const Annotation& annotation = m_dataset.annotations[a];
    if (annotation.segmentation.rle_index < 0) continue;
    const Rle& mask = m_dataset.rles[static_cast<std::size_t>(annotation.segmentation.rle_index)];
    const ImageInfo& image = m_dataset.images[*m_dataset.image_index(annotation.image_id)];
    if (mask.height != static_cast<std::uint32_t>(image.height) ||
        mask.width != static_cast<std::uint32_t>(image.width)) {
      const JsonPath path = annotations_root.index(a);
      const JsonPath segmentation = path.key("segmentation");
      json::fail(Where{m_file, segmentation.key("size")},
                 "[" + std::to_string(mask.height) + ", " + std::to_string(mask.width) + "]",
                 "differs from the image's size [" + std::to_string(image.height) + ", " +
                     std::to_string(image.width) + "]");
    }
  }
}

}  // namespace

Dataset load_dataset(const std::string& path, const JobContext& context) {
  Dataset dataset;
  dataset.source_path = path;
  LvisReader reader(path, dataset);
  JsonStreamReader stream(path, context, "read annotations");
  bool seen_images = false, seen_categories = false, seen_annotations = false;
  const auto once = [&](bool& seen, const std::string& key) {
    if (seen) throw InputError(path, key, "", "duplicate top-level key");
    seen = true;
  };
  stream.read_object([&](const std::string& key) {
    if (key == "images") {
      once(seen_images, key);
      stream.read_array(key, [&](value element, std::size_t index) { reader.image(element, index); });
    } else if (key == "categories") {
      once(seen_categories, key);
      stream.read_array(key, [&](value element, std::size_t index) { reader.category(element, index); });
    } else if (key == "annotations") {
      once(seen_annotations, key);
      reader.reserve_coordinates(stream.bytes_left());
      stream.read_array(key, [&](value element, std::size_t index) { reader.annotation(element, index); });
    } else {
      stream.skip_value(key);  // info, licenses, and any other extra field
    }
  });
  if (!seen_images) throw InputError(path, "images", "", "missing (required top-level key)");
  if (!seen_categories) throw InputError(path, "categories", "", "missing (required top-level key)");
  context.report("index annotations", 0, 1);
  reader.finish();
  context.report("index annotations", 1, 1);
  return dataset;
}

}  // namespace counterscope::data
