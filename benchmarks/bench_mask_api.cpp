// Throughput of the COCO mask API on real LVIS polygons (shared/refs/lvis/lvis_v0.5_val_100.json): polygon
// rasterisation, the string codec, and mask IoU for every pair of annotations of the same image (the
// evaluator's workload), per pair and as matrices. Baseline, measured in the same run: the same IoUs from
// decoded bit masks, pixel by pixel.
//
// Usage: bench_mask_api [lvis.json] [repeats]   (defaults: shared/refs beside the checkout, 20)

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/mask/mask_api.h"

namespace {

using counterscope::data::Polygon;
using counterscope::data::Rle;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Image {
  std::uint32_t height = 0, width = 0;
  std::vector<std::vector<Polygon>> objects;
  std::vector<Rle> masks;
};

}  // namespace

int main(int argc, char** argv) {
  namespace data = counterscope::data;
  const std::string path =
      argc > 1 ? argv[1] : std::string(COUNTERSCOPE_SOURCE_DIR) + "/../shared/refs/lvis/lvis_v0.5_val_100.json";
  const int repeats = argc > 2 ? std::stoi(argv[2]) : 20;
  std::ifstream file(path);
  if (!file) {
    std::fprintf(stderr, "cannot open %s\n", path.c_str());
    return 1;
  }
  const nlohmann::json json = nlohmann::json::parse(file);
  std::map<std::int64_t, Image> images;
  for (const auto& image : json.at("images")) {
    Image& entry = images[image.at("id").get<std::int64_t>()];
    entry.height = image.at("height").get<std::uint32_t>();
    entry.width = image.at("width").get<std::uint32_t>();
  }
  std::size_t polygon_count = 0;
  for (const auto& annotation : json.at("annotations")) {
    Image& image = images.at(annotation.at("image_id").get<std::int64_t>());
    image.objects.push_back(annotation.at("segmentation").get<std::vector<Polygon>>());
    polygon_count += image.objects.back().size();
  }

  // Rasterisation.
  auto start = Clock::now();
  std::size_t objects = 0;
  for (int r = 0; r < repeats; ++r) {
    for (auto& [id, image] : images) {
      image.masks.clear();
      for (const auto& polygons : image.objects) {
        image.masks.push_back(data::rle_from_polygons(polygons, image.height, image.width));
      }
      objects += image.objects.size();
    }
  }
  const double rasterise_s = seconds_since(start);
  std::printf("rasterise: %zu objects (%zu polygons) x %d in %.3f s = %.1f us/object\n", objects / repeats,
              polygon_count, repeats, rasterise_s, 1e6 * rasterise_s / objects);

  // String codec.
  start = Clock::now();
  std::size_t strings = 0, characters = 0;
  for (int r = 0; r < repeats; ++r) {
    for (const auto& [id, image] : images) {
      for (const Rle& mask : image.masks) {
        const std::string text = data::rle_to_string(mask);
        characters += text.size();
        if (!(data::rle_from_string(text, image.height, image.width) == mask)) return 2;
        ++strings;
      }
    }
  }
  const double codec_s = seconds_since(start);
  std::printf("string codec: %zu round trips in %.3f s = %.2f us each (%.0f chars avg)\n", strings, codec_s,
              1e6 * codec_s / strings, double(characters) / strings);

  // IoU of every pair of masks within an image: per pair, per pair with precomputed boxes, as matrices.
  std::map<std::int64_t, std::vector<data::BoxXywh>> boxes;
  for (const auto& [id, image] : images) {
    for (const Rle& mask : image.masks) boxes[id].push_back(data::rle_to_box(mask));
  }
  std::size_t pairs = 0;
  double checksum_pairs = 0, checksum_boxed = 0, checksum_matrix = 0;
  start = Clock::now();
  for (int r = 0; r < repeats; ++r) {
    for (const auto& [id, image] : images) {
      for (const Rle& a : image.masks) {
        for (const Rle& b : image.masks) checksum_pairs += data::rle_iou(a, b, false);
      }
      pairs += image.masks.size() * image.masks.size();
    }
  }
  const double pair_s = seconds_since(start);
  start = Clock::now();
  for (int r = 0; r < repeats; ++r) {
    for (const auto& [id, image] : images) {
      const std::vector<data::BoxXywh>& image_boxes = boxes[id];
      for (std::size_t a = 0; a < image.masks.size(); ++a) {
        for (std::size_t b = 0; b < image.masks.size(); ++b) {
          checksum_boxed += data::rle_iou(image.masks[a], image_boxes[a], image.masks[b], image_boxes[b], false);
        }
      }
    }
  }
  const double boxed_s = seconds_since(start);
  start = Clock::now();
  for (int r = 0; r < repeats; ++r) {
    for (const auto& [id, image] : images) {
      const std::vector<bool> crowd(image.masks.size(), false);
      for (double iou : data::rle_iou_matrix(image.masks, image.masks, crowd)) checksum_matrix += iou;
    }
  }
  const double matrix_s = seconds_since(start);
  std::printf("rle_iou per pair:            %zu pairs in %.3f s = %.2f M pairs/s\n", pairs, pair_s,
              pairs / pair_s / 1e6);
  std::printf("rle_iou per pair with boxes: %zu pairs in %.3f s = %.2f M pairs/s\n", pairs, boxed_s,
              pairs / boxed_s / 1e6);
  std::printf("rle_iou_matrix per image:    %zu pairs in %.3f s = %.2f M pairs/s\n", pairs, matrix_s,
              pairs / matrix_s / 1e6);
  std::printf("checksums (must agree): %.9f %.9f %.9f\n", checksum_pairs / repeats, checksum_boxed / repeats,
              checksum_matrix / repeats);

  // Baseline: decoded masks, pixel loops, on the first images only (it is slow); checked against the matrix.
  constexpr std::size_t kBaselineImages = 10;
  double baseline_s = 0, checksum_pixels = 0, checksum_subset = 0;
  std::size_t baseline_pairs = 0, image_index = 0;
  for (const auto& [id, image] : images) {
    if (image_index++ == kBaselineImages) break;
    std::vector<std::vector<std::uint8_t>> decoded;
    for (const Rle& mask : image.masks) decoded.push_back(data::rle_decode_row_major(mask));
    start = Clock::now();
    for (const auto& a : decoded) {
      for (const auto& b : decoded) {
        std::uint64_t intersection = 0, union_area = 0;
        for (std::size_t p = 0; p < a.size(); ++p) {
          intersection += a[p] & b[p];
          union_area += a[p] | b[p];
        }
        checksum_pixels += intersection == 0 ? 0.0 : double(intersection) / double(union_area);
        ++baseline_pairs;
      }
    }
    baseline_s += seconds_since(start);
    const std::vector<bool> crowd(image.masks.size(), false);
    for (double iou : data::rle_iou_matrix(image.masks, image.masks, crowd)) checksum_subset += iou;
  }
  std::printf("baseline pixel IoU (first %zu images): %zu pairs in %.3f s = %.4f M pairs/s\n", kBaselineImages,
              baseline_pairs, baseline_s, baseline_pairs / baseline_s / 1e6);
  const double pixel_per_pair = baseline_s / baseline_pairs;
  std::printf("speed-up over pixels: per pair x%.0f, with boxes x%.0f, matrix x%.0f\n",
              pixel_per_pair / (pair_s / pairs), pixel_per_pair / (boxed_s / pairs),
              pixel_per_pair / (matrix_s / pairs));
  std::printf("baseline checksums (must agree): pixels %.9f, matrix %.9f\n", checksum_pixels, checksum_subset);
  return 0;
}
