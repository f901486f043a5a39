#include "core/modeling/model_config.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "core/util/error.h"

namespace counterscope::modeling {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct WrongType {};

std::string wrong_type_message(double) { return "expected a number"; }
std::string wrong_type_message(int) { return "expected an integer"; }
std::string wrong_type_message(std::int64_t) { return "expected an integer"; }
std::string wrong_type_message(const std::string&) { return "expected a string"; }
template <typename T>
std::string wrong_type_message(const std::vector<T>&) { return "expected an array (of " + wrong_type_message(T{}).substr(9) + ")"; }
template <typename T, std::size_t N>
std::string wrong_type_message(const std::array<T, N>&) {
  return "expected an array of " + std::to_string(N) + " (" + wrong_type_message(T{}).substr(9) + ")";
}

// Reads the fields of one JSON object, remembering which were seen so that typos are reported instead of
// silently ignored.
class ObjectReader {
 public:
  ObjectReader(const json& object, std::string source, std::string path)
      : m_object(object), m_source(std::move(source)), m_path(std::move(path)) {
    if (!m_object.is_object()) fail(m_path, m_object, "expected an object");
  }

  template <typename T>
  void read(const char* key, T& target) {
    m_known.insert(key);
    if (!m_object.contains(key)) return;
    const json& value = m_object.at(key);
    try {
      parse(value, target);
    } catch (const WrongType&) {
      fail(field(key), value, wrong_type_message(target));
    }
  }

  const json* child(const char* key) {
    m_known.insert(key);
    return m_object.contains(key) ? &m_object.at(key) : nullptr;
  }

  void reject_unknown() const {
    for (const auto& item : m_object.items()) {
      if (!m_known.count(item.key())) {
        std::string known;
        for (const auto& name : m_known) known += (known.empty() ? "" : ", ") + name;
        fail(field(item.key()), item.value(), "unknown field; known: " + known);
      }
    }
  }

  std::string field(const std::string& key) const { return m_path.empty() ? key : m_path + "." + key; }
  const std::string& source() const { return m_source; }

  [[noreturn]] void fail(const std::string& field, const json& value, const std::string& problem) const {
    throw InputError(m_source, field, quote_for_message(value.dump(), 60), problem);
  }

 private:
  static void parse(const json& value, double& target) {
    if (!value.is_number()) throw WrongType{};
    target = value.get<double>();
  }
  static void parse(const json& value, int& target) {
    if (!value.is_number_integer()) throw WrongType{};
    target = value.get<int>();
  }
  static void parse(const json& value, std::int64_t& target) {
    if (!value.is_number_integer()) throw WrongType{};
    target = value.get<std::int64_t>();
  }
  static void parse(const json& value, std::string& target) {
    if (!value.is_string()) throw WrongType{};
    target = value.get<std::string>();
  }
  template <typename T>
  static void parse(const json& value, std::vector<T>& target) {
    if (!value.is_array()) throw WrongType{};
    std::vector<T> parsed(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) parse(value[i], parsed[i]);
    target = std::move(parsed);
  }
  template <typename T, std::size_t N>
  static void parse(const json& value, std::array<T, N>& target) {
    if (!value.is_array() || value.size() != N) throw WrongType{};
    for (std::size_t i = 0; i < N; ++i) parse(value[i], target[i]);
  }

  const json& m_object;
  std::string m_source, m_path;
  std::set<std::string> m_known;
};

void require(bool ok, const std::string& source, const std::string& field, const std::string& value,
             const std::string& problem) {
  if (!ok) throw InputError(source, field, value, problem);
}

}  // namespace

ModelConfig ModelConfig::from_json(const json& root, const std::string& source) {
  ModelConfig config;
  ObjectReader top(root, source, "");
  top.read("name", config.name);
  top.read("num_classes", config.num_classes);
  top.read("score_thresh", config.score_thresh);
  top.read("nms_thresh", config.nms_thresh);
  top.read("detections_per_img", config.detections_per_img);
  top.read("class_names", config.class_names);
  top.child("comment");  // free text allowed in preset files
  if (const json* node = top.child("backbone")) {
    ObjectReader r(*node, source, "backbone");
    r.read("depth", config.backbone.depth);
    r.read("trainable_layers", config.backbone.trainable_layers);
    r.read("fpn_channels", config.backbone.fpn_channels);
    r.read("norm", config.backbone.norm);
    r.reject_unknown();
  }
  if (const json* node = top.child("anchors")) {
    ObjectReader r(*node, source, "anchors");
    r.read("sizes", config.anchors.sizes);
    r.read("aspect_ratios", config.anchors.aspect_ratios);
    r.reject_unknown();
  }
  if (const json* node = top.child("rpn")) {
    ObjectReader r(*node, source, "rpn");
    RpnConfig& c = config.rpn;
    r.read("pre_nms_top_n_train", c.pre_nms_top_n_train);
    r.read("pre_nms_top_n_test", c.pre_nms_top_n_test);
    r.read("post_nms_top_n_train", c.post_nms_top_n_train);
    r.read("post_nms_top_n_test", c.post_nms_top_n_test);
    r.read("nms_thresh", c.nms_thresh);
    r.read("fg_iou_thresh", c.fg_iou_thresh);
    r.read("bg_iou_thresh", c.bg_iou_thresh);
    r.read("batch_size_per_image", c.batch_size_per_image);
    r.read("positive_fraction", c.positive_fraction);
    r.read("score_thresh", c.score_thresh);
    r.read("min_size", c.min_size);
    r.reject_unknown();
  }
  if (const json* node = top.child("roi")) {
    ObjectReader r(*node, source, "roi");
    RoiConfig& c = config.roi;
    r.read("fg_iou_thresh", c.fg_iou_thresh);
    r.read("bg_iou_thresh", c.bg_iou_thresh);
    r.read("batch_size_per_image", c.batch_size_per_image);
    r.read("positive_fraction", c.positive_fraction);
    r.read("box_coder_weights", c.box_coder_weights);
    r.read("box_pool_size", c.box_pool_size);
    r.read("box_sampling_ratio", c.box_sampling_ratio);
    r.read("box_head_width", c.box_head_width);
    r.read("classifier", c.classifier);
    r.read("classifier_scale", c.classifier_scale);
    r.read("mask_pool_size", c.mask_pool_size);
    r.read("mask_sampling_ratio", c.mask_sampling_ratio);
    r.read("mask_head_layers", c.mask_head_layers);
    r.read("mask_head_dilation", c.mask_head_dilation);
    r.read("mask_predictor_channels", c.mask_predictor_channels);
    r.reject_unknown();
  }
  if (const json* node = top.child("transform")) {
    ObjectReader r(*node, source, "transform");
    TransformConfig& c = config.transform;
    r.read("min_size", c.min_size);
    r.read("max_size", c.max_size);
    r.read("image_mean", c.image_mean);
    r.read("image_std", c.image_std);
    r.read("size_divisible", c.size_divisible);
    r.reject_unknown();
  }
  top.reject_unknown();
  config.validate(source);
  return config;
}

void ModelConfig::validate(const std::string& source) const {
  auto str = [](auto value) { return std::to_string(value); };
  const int depth = backbone.depth;
  require(depth == 18 || depth == 34 || depth == 50 || depth == 101, source, "backbone.depth", str(depth),
          "expected 18, 34, 50 or 101");
  require(backbone.trainable_layers >= 0 && backbone.trainable_layers <= 5, source,
          "backbone.trainable_layers", str(backbone.trainable_layers), "expected 0..5");
  require(backbone.norm == "frozen" || backbone.norm == "batch", source, "backbone.norm",
          quote_for_message(backbone.norm), "expected \"frozen\" or \"batch\"");
  require(backbone.fpn_channels > 0, source, "backbone.fpn_channels", str(backbone.fpn_channels),
          "expected > 0");
  // The FPN has five levels (P2..P5 and the max-pooled P6): one anchor tuple per level.
  require(anchors.sizes.size() == 5, source, "anchors.sizes", str(anchors.sizes.size()) + " levels",
          "expected 5 levels (P2..P6)");
  require(anchors.aspect_ratios.size() == anchors.sizes.size(), source, "anchors.aspect_ratios",
          str(anchors.aspect_ratios.size()) + " levels", "expected as many levels as anchors.sizes");
  for (std::size_t level = 0; level < anchors.sizes.size(); ++level) {
    // The RPN head is shared by all levels, so every level needs the same anchor count.
    const std::size_t count = anchors.sizes[level].size() * anchors.aspect_ratios[level].size();
    const std::size_t first = anchors.sizes[0].size() * anchors.aspect_ratios[0].size();
    require(count > 0 && count == first, source, "anchors.sizes[" + str(level) + "]", str(count) + " anchors",
            "every level needs the same non-zero number of anchors (sizes x ratios)");
    for (double value : anchors.sizes[level])
      require(value > 0, source, "anchors.sizes[" + str(level) + "]", str(value), "expected > 0");
    for (double value : anchors.aspect_ratios[level])
      require(value > 0, source, "anchors.aspect_ratios[" + str(level) + "]", str(value), "expected > 0");
  }
  auto check_fraction = [&](double value, const std::string& field) {
    require(value >= 0 && value <= 1, source, field, str(value), "expected a value in [0, 1]");
  };
  auto check_positive = [&](std::int64_t value, const std::string& field) {
    require(value > 0, source, field, str(value), "expected > 0");
  };
  check_positive(rpn.pre_nms_top_n_train, "rpn.pre_nms_top_n_train");
  check_positive(rpn.pre_nms_top_n_test, "rpn.pre_nms_top_n_test");
  check_positive(rpn.post_nms_top_n_train, "rpn.post_nms_top_n_train");
  check_positive(rpn.post_nms_top_n_test, "rpn.post_nms_top_n_test");
  check_fraction(rpn.nms_thresh, "rpn.nms_thresh");
  check_fraction(rpn.fg_iou_thresh, "rpn.fg_iou_thresh");
  check_fraction(rpn.bg_iou_thresh, "rpn.bg_iou_thresh");
  require(rpn.bg_iou_thresh <= rpn.fg_iou_thresh, source, "rpn.bg_iou_thresh", str(rpn.bg_iou_thresh),
          "must not exceed rpn.fg_iou_thresh");
  check_positive(rpn.batch_size_per_image, "rpn.batch_size_per_image");
  check_fraction(rpn.positive_fraction, "rpn.positive_fraction");
  check_fraction(rpn.score_thresh, "rpn.score_thresh");
  require(rpn.min_size >= 0, source, "rpn.min_size", str(rpn.min_size), "expected >= 0");
  check_fraction(roi.fg_iou_thresh, "roi.fg_iou_thresh");
  check_fraction(roi.bg_iou_thresh, "roi.bg_iou_thresh");
  require(roi.bg_iou_thresh <= roi.fg_iou_thresh, source, "roi.bg_iou_thresh", str(roi.bg_iou_thresh),
          "must not exceed roi.fg_iou_thresh");
  check_positive(roi.batch_size_per_image, "roi.batch_size_per_image");
  check_fraction(roi.positive_fraction, "roi.positive_fraction");
  for (double weight : roi.box_coder_weights)
    require(weight > 0, source, "roi.box_coder_weights", str(weight), "expected > 0");
  check_positive(roi.box_pool_size, "roi.box_pool_size");
  require(roi.box_sampling_ratio >= 0, source, "roi.box_sampling_ratio", str(roi.box_sampling_ratio),
          "expected >= 0 (0 = adaptive)");
  check_positive(roi.box_head_width, "roi.box_head_width");
  require(roi.classifier == "linear" || roi.classifier == "cosine", source, "roi.classifier",
          quote_for_message(roi.classifier), "expected \"linear\" or \"cosine\"");
  require(roi.classifier_scale > 0, source, "roi.classifier_scale", str(roi.classifier_scale), "expected > 0");
  check_positive(roi.mask_pool_size, "roi.mask_pool_size");
  require(roi.mask_sampling_ratio >= 0, source, "roi.mask_sampling_ratio", str(roi.mask_sampling_ratio),
          "expected >= 0 (0 = adaptive)");
  require(!roi.mask_head_layers.empty(), source, "roi.mask_head_layers", "[]", "expected at least one layer");
  for (auto channels : roi.mask_head_layers) check_positive(channels, "roi.mask_head_layers");
  check_positive(roi.mask_head_dilation, "roi.mask_head_dilation");
  check_positive(roi.mask_predictor_channels, "roi.mask_predictor_channels");
  require(!transform.min_size.empty(), source, "transform.min_size", "[]", "expected at least one size");
  for (auto size : transform.min_size) check_positive(size, "transform.min_size");
  check_positive(transform.max_size, "transform.max_size");
  check_positive(transform.size_divisible, "transform.size_divisible");
  for (double value : transform.image_std)
    require(value > 0, source, "transform.image_std", str(value), "expected > 0");
  require(num_classes >= 2, source, "num_classes", str(num_classes),
          "expected at least 2 (background + one class)");
  check_fraction(score_thresh, "score_thresh");
  check_fraction(nms_thresh, "nms_thresh");
  check_positive(detections_per_img, "detections_per_img");
  require(class_names.empty() || static_cast<std::int64_t>(class_names.size()) == num_classes, source,
          "class_names", str(class_names.size()) + " names",
          "expected none or num_classes = " + str(num_classes) + " (background first)");
}

json ModelConfig::to_json() const {
  json out;
  out["name"] = name;
  out["num_classes"] = num_classes;
  out["score_thresh"] = score_thresh;
  out["nms_thresh"] = nms_thresh;
  out["detections_per_img"] = detections_per_img;
  if (!class_names.empty()) out["class_names"] = class_names;
  out["backbone"] = {{"depth", backbone.depth},
                     {"trainable_layers", backbone.trainable_layers},
                     {"fpn_channels", backbone.fpn_channels},
                     {"norm", backbone.norm}};
  out["anchors"] = {{"sizes", anchors.sizes}, {"aspect_ratios", anchors.aspect_ratios}};
  out["rpn"] = {{"pre_nms_top_n_train", rpn.pre_nms_top_n_train},
                {"pre_nms_top_n_test", rpn.pre_nms_top_n_test},
                {"post_nms_top_n_train", rpn.post_nms_top_n_train},
                {"post_nms_top_n_test", rpn.post_nms_top_n_test},
                {"nms_thresh", rpn.nms_thresh},
                {"fg_iou_thresh", rpn.fg_iou_thresh},
                {"bg_iou_thresh", rpn.bg_iou_thresh},
                {"batch_size_per_image", rpn.batch_size_per_image},
                {"positive_fraction", rpn.positive_fraction},
                {"score_thresh", rpn.score_thresh},
                {"min_size", rpn.min_size}};
  out["roi"] = {{"fg_iou_thresh", roi.fg_iou_thresh},
                {"bg_iou_thresh", roi.bg_iou_thresh},
                {"batch_size_per_image", roi.batch_size_per_image},
                {"positive_fraction", roi.positive_fraction},
                {"box_coder_weights", roi.box_coder_weights},
                {"box_pool_size", roi.box_pool_size},
                {"box_sampling_ratio", roi.box_sampling_ratio},
                {"box_head_width", roi.box_head_width},
                {"classifier", roi.classifier},
                {"classifier_scale", roi.classifier_scale},
                {"mask_pool_size", roi.mask_pool_size},
                {"mask_sampling_ratio", roi.mask_sampling_ratio},
                {"mask_head_layers", roi.mask_head_layers},
                {"mask_head_dilation", roi.mask_head_dilation},
                {"mask_predictor_channels", roi.mask_predictor_channels}};
  out["transform"] = {{"min_size", transform.min_size},
                      {"max_size", transform.max_size},
                      {"image_mean", transform.image_mean},
                      {"image_std", transform.image_std},
                      {"size_divisible", transform.size_divisible}};
  return out;
}

std::string model_config_dir() {
  // An explicit override first (tests, relocated installs), then an install's share folder next to the
  // executable, then the source tree this binary was built from.
  if (const char* env = std::getenv("COUNTERSCOPE_CONFIG_DIR"); env != nullptr && *env != '\0') return env;
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    const fs::path installed = exe.parent_path().parent_path() / "share" / "counterscope" / "configs";
    if (fs::is_directory(installed, error)) return installed.string();
  }
  return (fs::path(COUNTERSCOPE_SOURCE_DIR) / "resources" / "configs").string();
}

std::vector<std::string> model_preset_names() {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(model_config_dir(), error)) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

ModelConfig load_model_config(const std::string& preset_or_path) {
  const bool is_path = preset_or_path.find('/') != std::string::npos ||
                       (preset_or_path.size() > 5 &&
                        preset_or_path.compare(preset_or_path.size() - 5, 5, ".json") == 0);
  fs::path path;
  if (is_path) {
    path = preset_or_path;
    if (!fs::is_regular_file(path))
      throw InputError(preset_or_path, "", "", "model config file not found");
  } else {
    path = fs::path(model_config_dir()) / (preset_or_path + ".json");
    if (!fs::is_regular_file(path)) {
      std::string known;
      for (const auto& name : model_preset_names()) known += (known.empty() ? "" : ", ") + name;
      if (known.empty()) known = "(none found in " + model_config_dir() + ")";
      throw InputError("--model", "preset", quote_for_message(preset_or_path),
                       "unknown model preset; known: " + known + " (or give a .json path)");
    }
  }
  std::ifstream file(path);
  if (!file) throw InputError(path.string(), "", "", "cannot open model config");
  json root;
  try {
    root = json::parse(file);
  } catch (const json::parse_error& error) {
    throw InputError(path.string(), "", "", std::string("invalid JSON: ") + error.what());
  }
  ModelConfig config = ModelConfig::from_json(root, path.string());
  if (!root.contains("name")) config.name = path.stem().string();
  return config;
}

}  // namespace counterscope::modeling
