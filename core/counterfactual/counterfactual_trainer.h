#pragma once
// Training of the counterfactual-map generator against a frozen Mask R-CNN, run by the engine's TrainerBase
// (progress, checkpoints, resume and cancel are hooks). Each iteration, per image one instance is picked and
// given another label at random (a pure function of the seed and the iteration, so a resumed run repeats the
// same choices), then:
//   G step: M = G(T(X, t)), X~ = X + M, X' = X~ + G(T(X~, t_original));
//           L_G = adv*LSGAN_G(D(X~)) + cyc*|X' - X| + target*L_bck(X~, t) + l1*|M| + l2*rms(M) + tv*TV(X~)
//   D step: L_D = disc*LSGAN_D(D(X), D(X~ detached))
// The detector's parameters never change (frozen, excluded from both optimisers).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/counterfactual/counterfactual_generator.h"
#include "core/counterfactual/counterfactual_options.h"
#include "core/counterfactual/patch_discriminator.h"
#include "core/engine/detection_data.h"
#include "core/engine/prefetcher.h"
#include "core/engine/trainer.h"
#include "core/modeling/mask_rcnn.h"

namespace counterscope::counterfactual {

class CounterfactualTrainer : public engine::TrainerBase {
 public:
  /// `model` is frozen here; `data` must outlive the trainer. Throws InputError when the model has fewer
  /// than two foreground classes (nothing to swap to).
  CounterfactualTrainer(modeling::MaskRcnn model, const engine::DetectionDataSource& data, TrainingOptions options,
                        std::int64_t max_iterations, int loader_threads = 1);
  ~CounterfactualTrainer() override;

  /// One G step and one D step on a batch with the given swapped labels (exposed for tests).
  std::map<std::string, double> train_on_batch(const engine::DetectionBatch& batch,
                                               const std::vector<modeling::Target>& swapped);
  /// The targets of `batch` with one instance per image relabelled, chosen from `seed` and `iteration`.
  std::vector<modeling::Target> swap_labels(const engine::DetectionBatch& batch, std::int64_t iteration) const;

  CounterfactualGenerator generator() const { return m_generator; }
  PatchDiscriminator discriminator() const { return m_discriminator; }
  const TrainingOptions& options() const { return m_options; }

  std::string kind() const override { return "counterfactual"; }
  torch::Device random_device() const override;

 protected:
  engine::StepResult run_step(std::int64_t iteration) override;
  void save_state(engine::CheckpointState& state) const override;
  void load_state(const engine::CheckpointState& state) override;
  void load_legacy_state(torch::serialize::InputArchive& archive) override;

 private:
  modeling::MaskRcnn m_model;
  const engine::DetectionDataSource& m_data;
  TrainingOptions m_options;
  int m_loader_threads;
  CounterfactualGenerator m_generator{nullptr};
  PatchDiscriminator m_discriminator{nullptr};
  std::unique_ptr<torch::optim::Adam> m_generator_optimizer, m_discriminator_optimizer;
  std::unique_ptr<engine::Prefetcher<engine::DetectionBatch>> m_prefetcher;
  std::int64_t m_prefetch_next = -1;
};

}  // namespace counterscope::counterfactual
