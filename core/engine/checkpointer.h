#pragma once
// Periodic training checkpoints in DIR/checkpoints/: checkpoint_<iteration>.safetensors in Counterscope's own
// format (checkpoint_state.h), written atomically (temporary file, then rename), the newest `keep` kept. On
// resume the newest readable one is used — a truncated, damaged or foreign newest file (a crash while copying,
// a full disk, another model's run) is reported and the previous one is taken instead. checkpoint_<iteration>.pt
// files, the TorchScript archives of earlier versions, are still read (with LibTorch 1.x), so that runs
// started before the format changed resume.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/engine/trainer.h"

namespace counterscope::engine {

class Checkpointer {
 public:
  Checkpointer(std::string directory, int keep = 3);

  /// Writes the trainer's state as checkpoint_<iteration>.safetensors; returns its path.
  std::string save(const TrainerBase& trainer) const;
  /// Checkpoint files (both formats), oldest first.
  std::vector<std::string> list() const;
  /// Loads the newest readable checkpoint into `trainer`. Returns its path, or nullopt when there is none.
  /// Unreadable newer files are skipped, each described in `warnings`, and the trainer is left as it was by a
  /// file that fails half-way. Tensors go to the device of what they belong to (the optimiser state beside its
  /// parameters): a checkpoint written on one device resumes on another. `device` is the one legacy files are
  /// loaded onto.
  std::optional<std::string> resume(TrainerBase& trainer, std::vector<std::string>* warnings = nullptr,
                                    torch::Device device = torch::kCPU) const;

  const std::string& directory() const { return m_directory; }

 private:
  std::string m_directory;
  int m_keep;
};

/// A hook that saves every `period` iterations and when training stops (completed or not).
class CheckpointHook : public TrainerHook {
 public:
  CheckpointHook(Checkpointer checkpointer, std::int64_t period);
  void after_step(TrainerBase& trainer, const StepResult& step) override;
  void after_train(TrainerBase& trainer, bool completed) override;
  const std::optional<std::string>& last_saved() const { return m_last_saved; }

 private:
  Checkpointer m_checkpointer;
  std::int64_t m_period;
  std::int64_t m_last_saved_iteration = -1;
  std::optional<std::string> m_last_saved;
};

}  // namespace counterscope::engine
