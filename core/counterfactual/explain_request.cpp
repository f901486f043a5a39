#include "core/counterfactual/explain_request.h"

#include <algorithm>
#include <cctype>
#include <random>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/data/lvis/image_paths.h"
#include "core/data/mask/mask_api.h"
#include "core/util/error.h"

namespace counterscope::counterfactual {
namespace {

std::string normalise_name(const std::string& name) {
  std::string out;
  for (const char c : name) out.push_back(c == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

bool usable(const data::Annotation& annotation) {
  return !annotation.iscrowd && annotation.bbox.w >= 1.0 && annotation.bbox.h >= 1.0;
}

std::string category_label(const data::Dataset& dataset, std::int64_t id) {
  const auto index = dataset.category_index(id);
  return index ? "\"" + dataset.categories[*index].name + "\" (id " + std::to_string(id) + ")" : "id " + std::to_string(id);
}

}  // namespace

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::vector<std::string> closest_category_names(const data::Dataset& dataset, const std::string& query,
                                                std::size_t count) {
  const std::string wanted = normalise_name(query);
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& category : dataset.categories) {
    std::size_t best = edit_distance(wanted, normalise_name(category.name));
    for (const auto& synonym : category.synonyms) best = std::min(best, edit_distance(wanted, normalise_name(synonym)));
    scored.emplace_back(best, category.name);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> names;
  for (std::size_t i = 0; i < scored.size() && i < count; ++i) names.push_back(scored[i].second);
  return names;
}

std::int64_t resolve_target_category(const data::Dataset& dataset, const std::string& name_or_id,
                                     const std::string& option) {
  const bool numeric = !name_or_id.empty() && std::all_of(name_or_id.begin(), name_or_id.end(),
                                                          [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  if (numeric) {
    const std::int64_t id = std::stoll(name_or_id);
    if (dataset.category_index(id)) return id;
    throw InputError(option, "category id", name_or_id, "no category with this id in " + dataset.source_path);
  }
  const std::string wanted = normalise_name(name_or_id);
  for (const auto& category : dataset.categories) {
    if (normalise_name(category.name) == wanted) return category.id;
    for (const auto& synonym : category.synonyms)
      if (normalise_name(synonym) == wanted) return category.id;
  }
  std::string suggestions;
  for (const auto& name : closest_category_names(dataset, name_or_id))
    suggestions += (suggestions.empty() ? "" : ", ") + name;
  throw InputError(option, "category", quote_for_message(name_or_id),
                   "unknown category" + (suggestions.empty() ? std::string() : "; did you mean: " + suggestions + "?"));
}

DatasetExplainRequest make_explain_request(const data::Dataset& dataset, const data::CategoryLabels& labels,
                                           const std::string& image_root, std::int64_t image_id,
                                           std::int64_t annotation_id, std::int64_t target_category_id) {
  const std::string& source = dataset.source_path;
  const auto image_index = dataset.image_index(image_id);
  if (!image_index) throw InputError(source, "--image-id", std::to_string(image_id), "no image with this id");
  const data::ImageInfo& info = dataset.images[*image_index];

  DatasetExplainRequest out;
  out.image_id = image_id;
  out.annotation_id = annotation_id;
  out.target_category_id = target_category_id;
  std::string ids;
  bool found = false;
  for (const std::uint32_t a : dataset.annotations_of_image(*image_index)) {
    const data::Annotation& annotation = dataset.annotations[a];
    if (!usable(annotation)) continue;
    ids += (ids.empty() ? "" : ", ") + std::to_string(annotation.id);
    const auto label = labels.label_of(annotation.category_id);
    if (!label) throw InputError(source, "annotation " + std::to_string(annotation.id), "", "category unknown to the model's labels");
    ExplainInstance instance;
    instance.box = {annotation.bbox.x, annotation.bbox.y, annotation.bbox.x + annotation.bbox.w,
                    annotation.bbox.y + annotation.bbox.h};
    instance.label = *label;
    instance.annotation_id = annotation.id;
    if (annotation.segmentation.polygon_count > 0 || annotation.segmentation.rle_index >= 0) {
      const auto bits = data::rle_decode_row_major(dataset.mask_of(annotation));
      instance.mask = cv::Mat(info.height, info.width, CV_8U, const_cast<std::uint8_t*>(bits.data())).clone();
    }
    if (annotation.id == annotation_id) {
      found = true;
      out.request.instance = out.request.instances.size();
      out.source_category_id = annotation.category_id;
    }
    out.request.instances.push_back(std::move(instance));
  }
  if (out.request.instances.empty())
    throw InputError(source, "--image-id", std::to_string(image_id), "the image has no (non-crowd) instances to explain");
  if (!found)
    throw InputError(source, "--ann-id", std::to_string(annotation_id),
                     "not an instance of image " + std::to_string(image_id) + "; its instances: " + ids);
  if (target_category_id == out.source_category_id)
    throw InputError("--target", "category", category_label(dataset, target_category_id),
                     "the instance already is this class: choose another target");
  const auto target_label = labels.label_of(target_category_id);
  if (!target_label) throw InputError("--target", "category", std::to_string(target_category_id), "unknown to the model's labels");
  out.request.target_label = *target_label;

  // Drop masks unless every instance has one (the code map and the mask loss need all or none).
  const bool all_masks = std::all_of(out.request.instances.begin(), out.request.instances.end(),
                                     [](const ExplainInstance& i) { return !i.mask.empty(); });
  if (!all_masks)
    for (auto& instance : out.request.instances) instance.mask.release();

  out.image_path = data::resolve_image_path(info, image_root);
  const cv::Mat bgr = cv::imread(out.image_path, cv::IMREAD_COLOR);
  if (bgr.empty()) throw InputError(out.image_path, "", "", "cannot decode the image");
  if (bgr.cols != info.width || bgr.rows != info.height)
    throw InputError(out.image_path, "size", std::to_string(bgr.cols) + "x" + std::to_string(bgr.rows),
                     "differs from the annotation file's " + std::to_string(info.width) + "x" + std::to_string(info.height));
  cv::cvtColor(bgr, out.request.image, cv::COLOR_BGR2RGB);
  return out;
}

std::vector<ExplainPair> sample_explain_pairs(const data::Dataset& dataset, std::size_t count, std::uint64_t seed) {
  std::vector<std::size_t> candidates;
  for (std::size_t a = 0; a < dataset.annotations.size(); ++a)
    if (usable(dataset.annotations[a])) candidates.push_back(a);
  if (candidates.empty()) throw InputError(dataset.source_path, "annotations", "", "no usable (non-crowd) instance to explain");
  if (dataset.categories.size() < 2) throw InputError(dataset.source_path, "categories", "", "needs at least two categories");
  std::mt19937_64 random(seed);
  std::vector<ExplainPair> pairs;
  for (std::size_t i = 0; i < count; ++i) {
    const data::Annotation& annotation = dataset.annotations[candidates[random() % candidates.size()]];
    std::int64_t target = annotation.category_id;
    while (target == annotation.category_id) target = dataset.categories[random() % dataset.categories.size()].id;
    pairs.push_back({annotation.image_id, annotation.id, target});
  }
  return pairs;
}

}  // namespace counterscope::counterfactual
