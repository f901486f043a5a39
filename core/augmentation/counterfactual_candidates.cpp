#include "core/augmentation/counterfactual_candidates.h"

#include <algorithm>

#include <opencv2/imgproc.hpp>

#include "core/counterfactual/explain_request.h"
#include "core/util/error.h"

namespace counterscope::augmentation {

CounterfactualCandidates::CounterfactualCandidates(const data::Dataset& dataset, std::string image_root,
                                                   counterfactual::Explainer& explainer,
                                                   CounterfactualCandidateOptions options)
    : m_dataset(dataset),
      m_labels(dataset),
      m_image_root(std::move(image_root)),
      m_explainer(explainer),
      m_options(options),
      m_sources(find_suitable_instances(dataset, options.min_area)) {
  if (!(options.accept_score >= 0.0 && options.accept_score <= 1.0))
    throw InputError("--accept-score", "score", std::to_string(options.accept_score), "expected a value in [0, 1]");
  if (!(options.min_area >= 0.0))
    throw InputError("--min-area", "area", std::to_string(options.min_area), "expected a non-negative pixel count");
}

std::optional<std::pair<std::size_t, std::uint32_t>> CounterfactualCandidates::draw_source(
    std::int64_t category_id, std::mt19937_64& rng) const {
  const auto other = [&](std::uint32_t a) { return m_dataset.annotations[a].category_id != category_id; };
  // An image is a source when it holds a suitable instance of another category. Rejection sampling is fast
  // on real data (almost every image qualifies); the exhaustive list below keeps it correct when few do.
  std::uniform_int_distribution<std::size_t> any_image(0, m_sources.images.empty() ? 0 : m_sources.images.size() - 1);
  std::vector<std::size_t> eligible;
  if (!m_sources.images.empty()) {
    for (int tries = 0; tries < 64; ++tries) {
      const std::size_t entry = any_image(rng);
      if (std::any_of(m_sources.annotations[entry].begin(), m_sources.annotations[entry].end(), other)) {
        eligible.push_back(entry);
        break;
      }
    }
  }
  if (eligible.empty()) {
    for (std::size_t entry = 0; entry < m_sources.images.size(); ++entry)
      if (std::any_of(m_sources.annotations[entry].begin(), m_sources.annotations[entry].end(), other))
        eligible.push_back(entry);
    if (eligible.empty()) return std::nullopt;
  }
  const std::size_t entry = eligible[std::uniform_int_distribution<std::size_t>(0, eligible.size() - 1)(rng)];
  std::vector<std::uint32_t> candidates;
  for (const std::uint32_t a : m_sources.annotations[entry])
    if (other(a)) candidates.push_back(a);
  return std::make_pair(entry, candidates[std::uniform_int_distribution<std::size_t>(0, candidates.size() - 1)(rng)]);
}

std::string CounterfactualCandidates::unreachable_reason(std::int64_t category_id) const {
  if (!m_labels.label_of(category_id)) return "the model's labels do not know the category";
  for (std::size_t entry = 0; entry < m_sources.images.size(); ++entry)
    for (const std::uint32_t a : m_sources.annotations[entry])
      if (m_dataset.annotations[a].category_id != category_id) return {};
  return "no suitable source instance (non-crowd, with a mask, area >= --min-area) of another category";
}

std::optional<NewImage> CounterfactualCandidates::make(std::int64_t category_id, std::mt19937_64& rng,
                                                       const JobContext& context) {
  const auto source = draw_source(category_id, rng);
  if (!source) return std::nullopt;
  const std::size_t image_index = m_sources.images[source->first];
  const data::ImageInfo& info = m_dataset.images[image_index];
  const data::Annotation& swapped = m_dataset.annotations[source->second];

  const counterfactual::DatasetExplainRequest asked = counterfactual::make_explain_request(
      m_dataset, m_labels, m_image_root, info.id, swapped.id, category_id);
  // The explainer's own stages (map, predictions) would replace the job's "augment" line at every attempt:
  // it gets the cancel flag only.
  const JobContext quiet{nullptr, context.cancel};
  const counterfactual::Explanation explanation = m_explainer.explain(asked.request, quiet);
  const auto& measures = explanation.measures;
  if (m_options.require_attained && !measures.target_attained) return std::nullopt;
  if (measures.target_score_after < m_options.accept_score) return std::nullopt;

  NewImage out;
  out.target_category_id = category_id;
  out.source_image_id = info.id;
  out.source_annotation_id = swapped.id;
  out.target_score = measures.target_score_after;
  cv::Mat rgb8;
  explanation.counterfactual.convertTo(rgb8, CV_8UC3, 255.0);  // saturating, rounds to nearest
  cv::cvtColor(rgb8, out.image_bgr, cv::COLOR_RGB2BGR);
  for (const std::uint32_t a : m_dataset.annotations_of_image(image_index)) {
    const data::Annotation& annotation = m_dataset.annotations[a];
    if (annotation.segmentation.polygon_count == 0 && annotation.segmentation.rle_index < 0) continue;
    NewAnnotation kept;
    kept.category_id = annotation.id == swapped.id ? category_id : annotation.category_id;
    kept.mask = m_dataset.mask_of(annotation);
    kept.bbox = annotation.bbox;
    kept.area = annotation.area;
    kept.iscrowd = annotation.iscrowd;
    out.annotations.push_back(std::move(kept));
  }
  // Federated labels: the target is now present, so it cannot stay a verified-absent category; which
  // categories were not exhaustively annotated does not change with one relabelled instance.
  for (const std::int64_t id : info.neg_category_ids)
    if (id != category_id) out.neg_category_ids.push_back(id);
  out.not_exhaustive_category_ids = info.not_exhaustive_category_ids;
  out.how = "label swap " + std::to_string(swapped.category_id) + " -> " + std::to_string(category_id);
  return out;
}

nlohmann::json CounterfactualCandidates::settings() const {
  return nlohmann::json{{"method", method()},
                        {"accept_score", m_options.accept_score},
                        {"require_attained", m_options.require_attained},
                        {"min_area", m_options.min_area}};
}

}  // namespace counterscope::augmentation
