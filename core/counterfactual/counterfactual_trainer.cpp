#include "core/counterfactual/counterfactual_trainer.h"

#include <chrono>

#include "core/counterfactual/counterfactual_losses.h"
#include "core/engine/checkpoint_parts.h"
#include "core/engine/detection_trainer.h"
#include "core/util/error.h"

namespace counterscope::counterfactual {
namespace {

torch::Device device_of(const modeling::MaskRcnn& model) {
  const auto parameters = model->parameters();
  return parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().device();
}

/// `target`'s instances to be painted with its labels; `shown` holds the labels the image carries now.
InstanceSet as_instances(const modeling::Target& target, const torch::Tensor& shown) {
  return {target.boxes, target.labels, target.masks, shown};
}

torch::Tensor discriminate(PatchDiscriminator& discriminator, const std::vector<torch::Tensor>& images) {
  // Images of a batch may differ in size: score each alone and pool all patch scores.
  std::vector<torch::Tensor> scores;
  for (const auto& image : images) scores.push_back(discriminator->forward(image.unsqueeze(0)).flatten());
  return torch::cat(scores);
}

}  // namespace

CounterfactualTrainer::CounterfactualTrainer(modeling::MaskRcnn model, const engine::DetectionDataSource& data,
                                             TrainingOptions options, std::int64_t max_iterations, int loader_threads)
    : engine::TrainerBase(max_iterations), m_model(std::move(model)), m_data(data), m_options(std::move(options)),
      m_loader_threads(loader_threads) {
  const std::int64_t num_classes = m_model->config().num_classes;
  if (num_classes < 3)
    throw InputError("model config " + m_model->config().name, "num_classes", std::to_string(num_classes),
                     "counterfactual training needs at least two foreground classes to swap between");
  freeze_detector(*m_model);
  const auto device = device_of(m_model);
  m_generator = CounterfactualGenerator(generator_shape_for(*m_model, m_options.generator));
  m_discriminator = PatchDiscriminator(m_options.discriminator);
  m_generator->to(device);
  m_discriminator->to(device);
  auto adam = [&](double lr) {
    return torch::optim::AdamOptions(lr).betas(std::make_tuple(m_options.beta1, m_options.beta2));
  };
  m_generator_optimizer = std::make_unique<torch::optim::Adam>(m_generator->parameters(), adam(m_options.generator_lr));
  m_discriminator_optimizer =
      std::make_unique<torch::optim::Adam>(m_discriminator->parameters(), adam(m_options.discriminator_lr));
}

CounterfactualTrainer::~CounterfactualTrainer() = default;

std::vector<modeling::Target> CounterfactualTrainer::swap_labels(const engine::DetectionBatch& batch,
                                                                 std::int64_t iteration) const {
  const std::int64_t foreground = m_model->config().num_classes - 1;
  std::vector<modeling::Target> swapped;
  for (std::size_t i = 0; i < batch.targets.size(); ++i) {
    modeling::Target target = batch.targets[i];
    target.labels = target.labels.clone();
    const std::int64_t count = target.labels.size(0);
    if (count > 0) {
      const std::uint64_t key = engine::mix_seed(m_options.seed ^ 0x63667377ull, static_cast<std::uint64_t>(iteration) * 64 + i);
      // Exactly one instance (LEAR), or each with probability swap_share and at least the drawn one.
      const auto chosen = static_cast<std::int64_t>(key % static_cast<std::uint64_t>(count));
      for (std::int64_t instance = 0; instance < count; ++instance) {
        const std::uint64_t instance_key = engine::mix_seed(key, 2 + static_cast<std::uint64_t>(instance));
        const double draw = static_cast<double>(instance_key >> 11) * 0x1.0p-53;  // uniform in [0, 1)
        if (instance != chosen && !(draw < m_options.swap_share)) continue;
        const std::int64_t old_label = target.labels[instance].item<std::int64_t>();
        // Uniform over the other foreground labels.
        const auto offset = static_cast<std::int64_t>(
            engine::mix_seed(instance == chosen ? key : instance_key, 1) % static_cast<std::uint64_t>(foreground - 1));
        target.labels[instance] = 1 + (old_label - 1 + 1 + offset) % foreground;
      }
    }
    swapped.push_back(std::move(target));
  }
  return swapped;
}

std::map<std::string, double> CounterfactualTrainer::train_on_batch(const engine::DetectionBatch& batch,
                                                                    const std::vector<modeling::Target>& swapped) {
  const LossWeights& w = m_options.weights;
  const auto device = device_of(m_model);
  std::vector<torch::Tensor> images;
  std::vector<InstanceSet> original_sets, target_sets;
  std::vector<modeling::Target> goals;
  for (std::size_t i = 0; i < batch.images.size(); ++i) {
    images.push_back(batch.images[i].to(device));
    modeling::Target original = batch.targets[i], goal = swapped[i];
    for (auto* t : {&original, &goal}) {
      t->boxes = t->boxes.to(device);
      t->labels = t->labels.to(device);
      if (t->masks.defined()) t->masks = t->masks.to(device);
    }
    // X shows the original labels and is pushed to the goal; X~ shows the goal and is cycled back.
    target_sets.push_back(as_instances(goal, original.labels));
    original_sets.push_back(as_instances(original, goal.labels));
    goals.push_back(goal);
  }

  // Generator step.
  m_generator->train();
  const auto maps = m_generator->forward(*m_model, images, target_sets);
  std::vector<torch::Tensor> counterfactuals;
  for (std::size_t i = 0; i < images.size(); ++i) counterfactuals.push_back(images[i] + maps[i]);
  const auto back_maps = m_generator->forward(*m_model, counterfactuals, original_sets);
  std::vector<torch::Tensor> reconstructed;
  for (std::size_t i = 0; i < images.size(); ++i) reconstructed.push_back(counterfactuals[i] + back_maps[i]);
  const TargetLossResult target = target_loss(*m_model, counterfactuals, goals, m_options.target_loss);

  const auto adversarial = lsgan_generator_loss(discriminate(m_discriminator, counterfactuals));
  const auto cycle = cycle_loss(reconstructed, images);
  const auto l1 = map_l1_loss(maps), l2 = map_l2_loss(maps);
  const auto tv = total_variation_loss(counterfactuals);
  auto generator_total = w.adversarial * adversarial + w.cycle * cycle + w.target * target.loss + w.map_l1 * l1 +
                         w.map_l2 * l2 + w.total_variation * tv;
  torch::Tensor outside = torch::zeros({}, generator_total.options());
  if (w.map_outside > 0) {
    std::vector<torch::Tensor> changed_regions;
    for (std::size_t i = 0; i < images.size(); ++i)
      changed_regions.push_back(enlarged_box_region(goals[i].boxes, goals[i].labels.ne(target_sets[i].current_labels),
                                                    {images[i].size(1), images[i].size(2)}));
    outside = map_outside_loss(maps, changed_regions);
    generator_total = generator_total + w.map_outside * outside;
  }
  m_generator_optimizer->zero_grad();
  generator_total.backward();
  m_generator_optimizer->step();

  // Discriminator step on real X and the (detached) counterfactuals of this batch.
  std::vector<torch::Tensor> fakes;
  for (const auto& c : counterfactuals) fakes.push_back(c.detach());
  const auto discriminator_loss =
      w.discriminator * lsgan_discriminator_loss(discriminate(m_discriminator, images), discriminate(m_discriminator, fakes));
  m_discriminator_optimizer->zero_grad();
  discriminator_loss.backward();
  m_discriminator_optimizer->step();

  // Attainment of the swapped instances (the RoIs of all images, concatenated in order).
  std::int64_t offset = 0, attained = 0, swaps = 0;
  const auto top = target.probabilities.argmax(1).cpu();
  for (std::size_t i = 0; i < goals.size(); ++i) {
    const auto changed = goals[i].labels.cpu().ne(batch.targets[i].labels.cpu());
    const auto labels = goals[i].labels.cpu();
    for (std::int64_t k = 0; k < labels.size(0); ++k) {
      if (!changed[k].item<bool>()) continue;
      ++swaps;
      if (top[offset + k].item<std::int64_t>() == labels[k].item<std::int64_t>()) ++attained;
    }
    offset += labels.size(0);
  }
  return {{"loss_total", generator_total.item<double>() + discriminator_loss.item<double>()},
          {"loss_generator", generator_total.item<double>()},
          {"loss_discriminator", discriminator_loss.item<double>()},
          {"loss_adversarial", adversarial.item<double>()},
          {"loss_cycle", cycle.item<double>()},
          {"loss_target", target.loss.item<double>()},
          {"map_l1", l1.item<double>()},
          {"map_l2", l2.item<double>()},
          {"map_outside", outside.item<double>()},
          {"total_variation", tv.item<double>()},
          {"attained", swaps > 0 ? static_cast<double>(attained) / static_cast<double>(swaps) : 0.0}};
}

engine::StepResult CounterfactualTrainer::run_step(std::int64_t iteration) {
  const auto start = std::chrono::steady_clock::now();
  if (!m_prefetcher || m_prefetch_next != iteration) {
    m_prefetcher.reset();
    const engine::DetectionDataSource* data = &m_data;
    m_prefetcher = std::make_unique<engine::Prefetcher<engine::DetectionBatch>>(
        [data](std::int64_t index) { return data->batch(index); }, m_loader_threads, 2 * m_loader_threads, iteration);
  }
  const auto wait_start = std::chrono::steady_clock::now();
  engine::DetectionBatch batch = m_prefetcher->next();
  m_prefetch_next = iteration + 1;
  engine::StepResult result;
  result.iteration = iteration;
  result.data_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wait_start).count();
  result.metrics = train_on_batch(batch, swap_labels(batch, iteration));
  result.metrics["lr"] = m_options.generator_lr;
  result.step_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

torch::Device CounterfactualTrainer::random_device() const { return device_of(m_model); }

void CounterfactualTrainer::save_state(engine::CheckpointState& state) const {
  engine::save_module_state(*m_generator, state, "generator.");
  engine::save_module_state(*m_discriminator, state, "discriminator.");
  engine::save_optimizer_state(*m_generator_optimizer, state, "generator_optimizer.");
  engine::save_optimizer_state(*m_discriminator_optimizer, state, "discriminator_optimizer.");
}

void CounterfactualTrainer::load_state(const engine::CheckpointState& state) {
  engine::load_module_state(*m_generator, state, "generator.");
  engine::load_module_state(*m_discriminator, state, "discriminator.");
  engine::load_optimizer_state(*m_generator_optimizer, state, "generator_optimizer.");
  engine::load_optimizer_state(*m_discriminator_optimizer, state, "discriminator_optimizer.");
  m_prefetcher.reset();
}

void CounterfactualTrainer::load_legacy_state(torch::serialize::InputArchive& archive) {
  engine::load_legacy_module_state(*m_generator, archive, "generator.");
  engine::load_legacy_module_state(*m_discriminator, archive, "discriminator.");
  torch::serialize::InputArchive generator_optimizer, discriminator_optimizer;
  archive.read("generator_optimizer", generator_optimizer);
  archive.read("discriminator_optimizer", discriminator_optimizer);
  m_generator_optimizer->load(generator_optimizer);
  m_discriminator_optimizer->load(discriminator_optimizer);
  m_prefetcher.reset();
}

}  // namespace counterscope::counterfactual
