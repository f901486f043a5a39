#include "core/data/synthetic/world_options.h"

#include <cmath>

#include "core/util/error.h"

namespace counterscope::data::synthetic {
namespace {

// Integers print without a fractional part ("width = 0", not "width = 0.0").
std::string format_number(double value) {
  if (std::floor(value) == value && std::abs(value) < 1e15) return std::to_string(static_cast<long long>(value));
  return nlohmann::json(value).dump();
}

void check_range(const std::string& source, const std::string& field, double value, double low, double high) {
  if (!(value >= low && value <= high)) {
    throw InputError(source, field, format_number(value),
                     "must be between " + format_number(low) + " and " + format_number(high));
  }
}

template <typename T>
void read_field(const nlohmann::json& json, const char* name, T& target, const std::string& source) {
  if (!json.contains(name)) return;
  try {
    target = json.at(name).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw InputError(source, name, quote_for_message(json.at(name).dump()), "has the wrong type");
  }
}

}  // namespace

const char* split_name(Split split) { return split == Split::train ? "train" : "val"; }

std::optional<Split> split_from_name(const std::string& name) {
  if (name == "train") return Split::train;
  if (name == "val") return Split::val;
  return std::nullopt;
}

const char* split_image_folder(Split split) { return split == Split::train ? "train2017" : "val2017"; }

void WorldOptions::validate(const std::string& source) const {
  check_range(source, "train_images", train_images, 1, 1000000);
  check_range(source, "val_images", val_images, 1, 1000000);
  check_range(source, "width", width, 32, 4096);
  check_range(source, "height", height, 32, 4096);
  check_range(source, "context_bias", context_bias, 0, 1);
  check_range(source, "max_categories_per_image", max_categories_per_image, 1, 64);
  check_range(source, "max_instances_per_image", max_instances_per_image, max_categories_per_image, 128);
  check_range(source, "val_min_images_per_category", val_min_images_per_category, 0, 1000000);
  check_range(source, "jpeg_quality", jpeg_quality, 1, 100);
}

nlohmann::json WorldOptions::to_json() const {
  return nlohmann::json{{"seed", seed},
                        {"train_images", train_images},
                        {"val_images", val_images},
                        {"width", width},
                        {"height", height},
                        {"context_bias", context_bias},
                        {"max_categories_per_image", max_categories_per_image},
                        {"max_instances_per_image", max_instances_per_image},
                        {"val_min_images_per_category", val_min_images_per_category},
                        {"jpeg_quality", jpeg_quality}};
}

WorldOptions WorldOptions::from_json(const nlohmann::json& json, const std::string& source) {
  if (!json.is_object()) throw InputError(source, "", quote_for_message(json.dump()), "is not a JSON object");
  WorldOptions options;
  read_field(json, "seed", options.seed, source);
  read_field(json, "train_images", options.train_images, source);
  read_field(json, "val_images", options.val_images, source);
  read_field(json, "width", options.width, source);
  read_field(json, "height", options.height, source);
  read_field(json, "context_bias", options.context_bias, source);
  read_field(json, "max_categories_per_image", options.max_categories_per_image, source);
  read_field(json, "max_instances_per_image", options.max_instances_per_image, source);
  read_field(json, "val_min_images_per_category", options.val_min_images_per_category, source);
  read_field(json, "jpeg_quality", options.jpeg_quality, source);
  options.validate(source);
  return options;
}

int split_image_count(const WorldOptions& options, Split split) {
  return split == Split::train ? options.train_images : options.val_images;
}

}  // namespace counterscope::data::synthetic
