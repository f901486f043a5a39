#include "core/data/synthetic/label_noise.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/data/synthetic/random.h"
#include "core/util/error.h"

namespace counterscope::data::synthetic {
namespace {

// Random-stream tag of the noise (split tag added), unrelated to the plan's and the images' streams.
constexpr std::uint64_t noise_tag = 0x6E6F697365ull;

bool contains(const std::vector<std::int64_t>& values, std::int64_t value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

/// Moves the box by 25-50% of its size in each direction, inside the image; false when it cannot stay inside.
bool shifted_box(const BoxXywh& box, int width, int height, Rng& rng, double& dx, double& dy) {
  const double fx = rng.uniform(0.25, 0.5), fy = rng.uniform(0.25, 0.5);
  const bool left = rng.chance(0.5), up = rng.chance(0.5);
  const double sx = std::max(1.0, std::round(fx * box.w)), sy = std::max(1.0, std::round(fy * box.h));
  auto fits = [&](double x, double y) { return x >= 0 && y >= 0 && x + box.w <= width && y + box.h <= height; };
  for (const double ox : {left ? -sx : sx, left ? sx : -sx}) {
    for (const double oy : {up ? -sy : sy, up ? sy : -sy}) {
      if (fits(box.x + ox, box.y + oy)) {
        dx = ox;
        dy = oy;
        return true;
      }
    }
  }
  return false;
}

nlohmann::json box_json(const BoxXywh& b) { return nlohmann::json::array({b.x, b.y, b.w, b.h}); }

BoxXywh read_box(const nlohmann::json& json, const std::string& path, const std::string& field) {
  if (!json.is_array() || json.size() != 4) throw InputError(path, field, quote_for_message(json.dump()), "expected [x, y, w, h]");
  try {
    return {json[0].get<double>(), json[1].get<double>(), json[2].get<double>(), json[3].get<double>()};
  } catch (const nlohmann::json::exception&) {
    throw InputError(path, field, quote_for_message(json.dump()), "expected four numbers");
  }
}

}  // namespace

void LabelNoiseOptions::validate(const std::string& source) const {
  if (!(share >= 0 && share <= 1)) {
    throw InputError(source, "label_noise", std::to_string(share), "must be between 0 and 1");
  }
}

const char* planted_kind_name(PlantedKind kind) {
  switch (kind) {
    case PlantedKind::swap: return "swap";
    case PlantedKind::shift: return "shift";
    case PlantedKind::drop: return "drop";
  }
  return "?";
}

std::optional<PlantedKind> planted_kind_from_name(const std::string& name) {
  if (name == "swap") return PlantedKind::swap;
  if (name == "shift") return PlantedKind::shift;
  if (name == "drop") return PlantedKind::drop;
  return std::nullopt;
}

SplitLabelNoise apply_label_noise(Dataset& dataset, Split split, std::uint64_t seed, int category_count,
                                  const LabelNoiseOptions& options) {
  options.validate("label noise");
  SplitLabelNoise noise;
  noise.split = split;
  noise.annotations = static_cast<std::int64_t>(dataset.annotations.size());
  const auto total = dataset.annotations.size();
  const auto wanted = static_cast<std::size_t>(std::llround(options.share * static_cast<double>(total)));
  if (wanted == 0) return noise;

  Rng rng(derive_seed(seed, noise_tag + static_cast<std::uint64_t>(split)));
  // The chosen annotations: a partial Fisher-Yates shuffle, then file order.
  std::vector<std::size_t> order(total);
  for (std::size_t i = 0; i < total; ++i) order[i] = i;
  for (std::size_t i = 0; i < wanted; ++i) std::swap(order[i], order[i + rng.below(total - i)]);
  std::vector<std::size_t> chosen(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(wanted));
  std::sort(chosen.begin(), chosen.end());
  std::vector<std::uint8_t> is_chosen(total, 0);
  for (const auto index : chosen) is_chosen[index] = 1;

  std::unordered_map<std::int64_t, const ImageInfo*> image_of;
  for (const auto& image : dataset.images) image_of[image.id] = &image;
  std::unordered_map<std::int64_t, std::vector<std::size_t>> annotations_of_image;
  for (std::size_t i = 0; i < total; ++i) annotations_of_image[dataset.annotations[i].image_id].push_back(i);
  std::vector<std::uint8_t> dropped(total, 0);

  for (const auto index : chosen) {
    Annotation& annotation = dataset.annotations[index];
    const auto image_it = image_of.find(annotation.image_id);
    if (image_it == image_of.end()) continue;  // an annotation of no image: leave it alone
    const ImageInfo& image = *image_it->second;
    PlantedLabelError error;
    error.image_id = annotation.image_id;
    error.annotation_id = annotation.id;
    error.category_id = annotation.category_id;
    error.new_category_id = annotation.category_id;
    error.box = annotation.bbox;
    error.new_box = annotation.bbox;
    auto kind = static_cast<PlantedKind>(rng.below(3));
    double dx = 0, dy = 0;
    if (kind == PlantedKind::drop) {
      // The sibling that keeps the category present must be one the noise never touches.
      bool sibling = false;
      for (const auto other : annotations_of_image[annotation.image_id]) {
        sibling = sibling || (!is_chosen[other] && dataset.annotations[other].category_id == annotation.category_id);
      }
      if (!sibling || contains(image.not_exhaustive_category_ids, annotation.category_id)) kind = PlantedKind::swap;
    } else if (kind == PlantedKind::shift && !shifted_box(annotation.bbox, image.width, image.height, rng, dx, dy)) {
      kind = PlantedKind::swap;
    }
    if (kind == PlantedKind::swap) {
      std::vector<std::int64_t> targets;
      for (std::int64_t c = 1; c <= category_count; ++c) {
        if (c != annotation.category_id && !contains(image.neg_category_ids, c)) targets.push_back(c);
      }
      if (targets.empty()) continue;
      annotation.category_id = targets[rng.below(targets.size())];
      error.new_category_id = annotation.category_id;
    } else if (kind == PlantedKind::shift) {
      annotation.bbox.x += dx;
      annotation.bbox.y += dy;
      error.new_box = annotation.bbox;
      const auto& segmentation = annotation.segmentation;
      for (std::uint32_t p = segmentation.first_polygon; p < segmentation.first_polygon + segmentation.polygon_count; ++p) {
        for (auto k = dataset.polygon_offsets[p]; k < dataset.polygon_offsets[p + 1]; ++k) {
          dataset.polygon_coordinates[k] += (k - dataset.polygon_offsets[p]) % 2 == 0 ? dx : dy;
        }
      }
    } else {
      dropped[index] = 1;
    }
    error.kind = kind;
    noise.errors.push_back(error);
  }
  std::vector<Annotation> kept;
  kept.reserve(total);
  for (std::size_t i = 0; i < total; ++i) {
    if (!dropped[i]) kept.push_back(dataset.annotations[i]);
  }
  dataset.annotations = std::move(kept);
  return noise;
}

std::string label_noise_path(const std::string& world_dir) {
  return (std::filesystem::path(world_dir) / "label-noise.json").string();
}

void write_label_noise(const LabelNoiseRecord& record, const std::string& path) {
  nlohmann::ordered_json json;
  json["generator"] = "counterscope label noise";
  json["version"] = 1;
  json["share"] = record.share;
  json["seed"] = record.seed;
  auto splits = nlohmann::ordered_json::object();
  for (const auto& split : record.splits) {
    auto errors = nlohmann::ordered_json::array();
    for (const auto& e : split.errors) {
      nlohmann::ordered_json entry;
      entry["kind"] = planted_kind_name(e.kind);
      entry["image_id"] = e.image_id;
      entry["annotation_id"] = e.annotation_id;
      entry["category_id"] = e.category_id;
      entry["new_category_id"] = e.new_category_id;
      entry["bbox"] = box_json(e.box);
      entry["new_bbox"] = box_json(e.new_box);
      errors.push_back(std::move(entry));
    }
    splits[split_name(split.split)] = {{"annotations", split.annotations}, {"errors", std::move(errors)}};
  }
  json["splits"] = std::move(splits);
  const std::string temporary = path + ".tmp";
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file << json.dump(1) << "\n";
    if (!file) throw Error("cannot write " + path);
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) throw Error("cannot write " + path + ": " + error.message());
}

LabelNoiseRecord load_label_noise(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw InputError(path, "", "", "cannot open the planted label errors (written by 'synth --label-noise')");
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(file);
  } catch (const nlohmann::json::exception& error) {
    throw InputError(path, "", "", std::string("not valid JSON: ") + error.what());
  }
  if (!json.is_object() || !json.contains("splits") || !json["splits"].is_object()) {
    throw InputError(path, "splits", "", "missing: not a label-noise file written by 'synth --label-noise'");
  }
  LabelNoiseRecord record;
  try {
    record.share = json.value("share", 0.0);
    record.seed = json.value("seed", std::uint64_t{0});
    for (const auto& [name, value] : json["splits"].items()) {
      const auto split = split_from_name(name);
      if (!split) throw InputError(path, "splits." + name, quote_for_message(name), "expected train or val");
      SplitLabelNoise noise;
      noise.split = *split;
      noise.annotations = value.value("annotations", std::int64_t{0});
      const auto& errors = value.at("errors");
      for (std::size_t i = 0; i < errors.size(); ++i) {
        const auto& e = errors[i];
        const std::string field = "splits." + name + ".errors[" + std::to_string(i) + "]";
        PlantedLabelError error;
        const auto kind = planted_kind_from_name(e.at("kind").get<std::string>());
        if (!kind) throw InputError(path, field + ".kind", quote_for_message(e.at("kind").dump()), "expected swap, shift or drop");
        error.kind = *kind;
        error.image_id = e.at("image_id").get<std::int64_t>();
        error.annotation_id = e.at("annotation_id").get<std::int64_t>();
        error.category_id = e.at("category_id").get<std::int64_t>();
        error.new_category_id = e.at("new_category_id").get<std::int64_t>();
        error.box = read_box(e.at("bbox"), path, field + ".bbox");
        error.new_box = read_box(e.at("new_bbox"), path, field + ".new_bbox");
        noise.errors.push_back(error);
      }
      record.splits.push_back(std::move(noise));
    }
  } catch (const nlohmann::json::exception& error) {
    throw InputError(path, "splits", "", std::string("malformed: ") + error.what());
  }
  return record;
}

std::optional<Split> split_of_dataset(const LabelNoiseRecord& record, const Dataset& dataset) {
  std::unordered_map<std::int64_t, const Annotation*> by_id;
  for (const auto& annotation : dataset.annotations) by_id[annotation.id] = &annotation;
  std::optional<Split> empty_fit;
  for (const auto& split : record.splits) {
    bool fits = true;
    for (const auto& e : split.errors) {
      const auto it = by_id.find(e.annotation_id);
      if (e.kind == PlantedKind::drop) {
        fits = it == by_id.end();
      } else {
        const auto& b = it == by_id.end() ? BoxXywh{} : it->second->bbox;
        fits = it != by_id.end() && it->second->image_id == e.image_id &&
               it->second->category_id == e.new_category_id && b.x == e.new_box.x && b.y == e.new_box.y &&
               b.w == e.new_box.w && b.h == e.new_box.h;
      }
      if (!fits) break;
    }
    if (!fits) continue;
    if (!split.errors.empty()) return split.split;
    if (!empty_fit) empty_fit = split.split;
  }
  return empty_fit;
}

}  // namespace counterscope::data::synthetic
