#include "core/counterfactual/explain_service.h"

#include <algorithm>
#include <mutex>
#include <numeric>
#include <optional>

#include "core/counterfactual/explain_request.h"
#include "core/counterfactual/explain_session.h"
#include "core/counterfactual/explainer.h"
#include "core/counterfactual/generator_file.h"
#include "core/data/category_labels.h"
#include "core/util/error.h"

namespace counterscope::counterfactual {

struct ExplainService::Impl {
  const data::Dataset* dataset;
  std::string image_root;
  std::string dataset_path;
  data::CategoryLabels labels;
  modeling::MaskRcnn model{nullptr};
  std::optional<GeneratorExplainer> generator;
  GroundTruthDifference ground_truth;
  std::mutex mutex;  // the model's forward passes are not meant to run concurrently

  Impl(const data::Dataset& dataset_, std::string root)
      : dataset(&dataset_), image_root(std::move(root)), dataset_path(dataset_.source_path), labels(dataset_) {}
};

namespace {

std::vector<ClassScore> top_classes(const std::vector<double>& scores, const data::Dataset& dataset,
                                    const data::CategoryLabels& labels, std::size_t count) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Label 0 is background: not a class a user would swap to, but its probability tells how sure the RoI
  // is an object at all, so it stays in the list under its own name.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  std::vector<ClassScore> top;
  for (std::size_t i = 0; i < order.size() && top.size() < count; ++i) {
    ClassScore entry;
    entry.score = scores[order[i]];
    if (order[i] == 0) {
      entry.name = "background";
    } else if (const auto id = labels.category_of(static_cast<std::int64_t>(order[i]))) {
      entry.category_id = *id;
      const auto index = dataset.category_index(*id);
      entry.name = index ? dataset.categories[*index].name : "category " + std::to_string(*id);
    } else {
      entry.name = "label " + std::to_string(order[i]);
    }
    top.push_back(std::move(entry));
  }
  return top;
}

}  // namespace

ExplainService::ExplainService(const std::string& model_config, const std::string& weights_path,
                               const std::string& generator_path, const data::Dataset& dataset,
                               const std::string& image_root)
    : m_impl(std::make_unique<Impl>(dataset, image_root)) {
  m_impl->model = load_detector(model_config, weights_path, &m_impl->labels, m_impl->dataset_path);
  if (!generator_path.empty()) load_generator(generator_path);
}

ExplainService::~ExplainService() = default;
ExplainService::ExplainService(ExplainService&&) noexcept = default;
ExplainService& ExplainService::operator=(ExplainService&&) noexcept = default;

bool ExplainService::has_generator() const { return m_impl->generator.has_value(); }

void ExplainService::set_ground_truth(GroundTruthDifference source) {
  const std::lock_guard<std::mutex> lock(m_impl->mutex);
  m_impl->ground_truth = std::move(source);
}

bool ExplainService::has_ground_truth() const { return static_cast<bool>(m_impl->ground_truth); }

void ExplainService::load_generator(const std::string& generator_path) {
  CounterfactualGenerator generator = counterfactual::load_generator(generator_path, m_impl->model->config());
  const std::lock_guard<std::mutex> lock(m_impl->mutex);
  m_impl->generator.emplace(m_impl->model, std::move(generator));
}

ExplainAnswer ExplainService::explain(const ExplainQuestion& question, const JobContext& context,
                                      std::size_t top_count) const {
  Impl& impl = *m_impl;
  DatasetExplainRequest asked = make_explain_request(*impl.dataset, impl.labels, impl.image_root, question.image_id,
                                                     question.annotation_id, question.target_category_id);
  ExplainAnswer answer;
  {
    const std::lock_guard<std::mutex> lock(impl.mutex);
    if (uses_generator(question.method) && !impl.generator)
      throw InputError("explain", "method", question.method == ExplainMethod::refine ? "refine" : "generator",
                       "no generator is loaded for this model; open one or use the optimize method");
    if (question.method == ExplainMethod::twin && !impl.ground_truth)
      throw InputError("explain", "method", "twin",
                       "the ground-truth twin exists only for a synthetic world's annotations (made by "
                       "'counterscope-cli synth')");
    if (impl.ground_truth) {
      // make_explain_request has resolved the target, so the category is known here.
      const auto index = impl.dataset->category_index(asked.target_category_id);
      asked.request.ground_truth_difference = impl.ground_truth(
          asked.image_id, asked.annotation_id, index ? impl.dataset->categories[*index].name : std::string());
    }
    if (question.method == ExplainMethod::generator) {
      answer.explanation = impl.generator->explain(asked.request, context);
    } else if (question.method == ExplainMethod::twin) {
      answer.explanation = TwinExplainer(impl.model).explain(asked.request, context);
    } else {
      if (question.optimize_steps < 1)
        throw InputError("explain", "optimize steps", std::to_string(question.optimize_steps),
                         "expected a positive step count");
      if (!(question.outside_weight >= 0))
        throw InputError("explain", "outside weight", std::to_string(question.outside_weight), "expected >= 0");
      OptimizerExplainerOptions options;
      options.max_steps = question.optimize_steps;
      options.learning_rate = question.learning_rate;
      options.weights.map_outside = question.outside_weight;
      if (question.method == ExplainMethod::refine) {
        RefiningExplainer explainer(impl.model, impl.generator->generator(), options);
        answer.explanation = explainer.explain(asked.request, context);
      } else {
        OptimizingExplainer explainer(impl.model, options);
        answer.explanation = explainer.explain(asked.request, context);
      }
    }
  }
  answer.image = asked.request.image;
  answer.instance_box = asked.request.instances[asked.request.instance].box;
  answer.image_id = asked.image_id;
  answer.annotation_id = asked.annotation_id;
  answer.source_category_id = asked.source_category_id;
  answer.target_category_id = asked.target_category_id;
  answer.image_path = asked.image_path;
  answer.top_before = top_classes(answer.explanation.class_scores_before, *impl.dataset, impl.labels, top_count);
  answer.top_after = top_classes(answer.explanation.class_scores_after, *impl.dataset, impl.labels, top_count);
  answer.category_of_label.assign(static_cast<std::size_t>(impl.labels.num_classes()), 0);
  for (std::int64_t label = 1; label < impl.labels.num_classes(); ++label)
    answer.category_of_label[static_cast<std::size_t>(label)] = impl.labels.category_of(label).value_or(0);
  return answer;
}

}  // namespace counterscope::counterfactual
