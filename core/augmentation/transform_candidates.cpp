#include "core/augmentation/transform_candidates.h"

#include <opencv2/imgproc.hpp>

#include "core/augmentation/image_transforms.h"
#include "core/augmentation/source_images.h"
#include "core/util/error.h"

namespace counterscope::augmentation {

TransformCandidates::TransformCandidates(const data::Dataset& dataset, std::string image_root,
                                         TransformCandidateOptions options)
    : m_dataset(dataset), m_image_root(std::move(image_root)), m_options(options) {
  if (!(options.strength >= 0.0 && options.strength <= 1.0))
    throw InputError("--strength", "strength", std::to_string(options.strength), "expected a value in [0, 1]");
}

std::string TransformCandidates::unreachable_reason(std::int64_t category_id) const {
  const auto c = m_dataset.category_index(category_id);
  if (!c || m_dataset.images_of_category(*c).empty())
    return "no training image contains the category, so there is nothing to transform";
  return {};
}

std::optional<NewImage> TransformCandidates::make(std::int64_t category_id, std::mt19937_64& rng,
                                                  const JobContext& /*context*/) {
  const auto c = m_dataset.category_index(category_id);
  if (!c) throw InputError(m_dataset.source_path, "category", std::to_string(category_id), "unknown category");
  const std::vector<std::uint32_t>& sources = m_dataset.images_of_category(*c);
  if (sources.empty()) return std::nullopt;
  const std::size_t image_index = sources[std::uniform_int_distribution<std::size_t>(0, sources.size() - 1)(rng)];
  const data::ImageInfo& info = m_dataset.images[image_index];

  ImageInstances instances = image_instances(m_dataset, image_index);
  TransformTarget target;
  cv::cvtColor(read_dataset_image(m_dataset, image_index, m_image_root), target.image, cv::COLOR_BGR2RGB);
  target.masks = instances.masks;
  const std::vector<std::string> operations = apply_random_transforms(m_options.strength, rng, target);

  NewImage out;
  out.target_category_id = category_id;
  out.source_image_id = info.id;
  cv::cvtColor(target.image, out.image_bgr, cv::COLOR_RGB2BGR);
  bool target_kept = false;
  for (std::size_t k = 0; k < instances.annotations.size(); ++k) {
    const data::Annotation& annotation = *instances.annotations[k];
    NewAnnotation moved = annotation_from_mask(annotation.category_id, target.masks[k], annotation.iscrowd);
    if (moved.area <= 0) continue;  // moved out of the frame
    target_kept = target_kept || (annotation.category_id == category_id && !annotation.iscrowd);
    out.annotations.push_back(std::move(moved));
  }
  if (!target_kept) return std::nullopt;
  // Photometric and geometric operations change no label: the federated lists stay those of the source.
  out.neg_category_ids = info.neg_category_ids;
  out.not_exhaustive_category_ids = info.not_exhaustive_category_ids;
  for (const std::string& name : operations) out.how += (out.how.empty() ? "" : "+") + name;
  return out;
}

nlohmann::json TransformCandidates::settings() const {
  return nlohmann::json{{"method", method()}, {"strength", m_options.strength}};
}

}  // namespace counterscope::augmentation
