#include "core/engine/checkpointer.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <torch/version.h>

#include "core/util/error.h"

namespace counterscope::engine {
namespace fs = std::filesystem;
namespace {

constexpr const char* kPrefix = "checkpoint_";
constexpr const char* kSuffix = ".safetensors";
constexpr const char* kLegacySuffix = ".pt";  // TorchScript archives of earlier versions

std::string checkpoint_name(std::int64_t iteration) {
  char name[64];
  std::snprintf(name, sizeof name, "%s%09lld%s", kPrefix, static_cast<long long>(iteration), kSuffix);
  return name;
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// A TorchScript archive is a zip file; Counterscope's own checkpoints are safetensors files.
bool is_zip_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
}

void load_legacy_file(TrainerBase& trainer, const std::string& path, torch::Device device) {
#if TORCH_VERSION_MAJOR < 2
  torch::serialize::InputArchive archive;
  archive.load_from(path, device);
  trainer.load_legacy_checkpoint(archive);
#else
  (void)trainer;
  (void)device;
  throw InputError(path, "", "",
                   "a TorchScript checkpoint of an earlier Counterscope version, which LibTorch 2's reader crashes on; "
                   "resume it once with a build against LibTorch 1.13, which saves the current format");
#endif
}

}  // namespace

Checkpointer::Checkpointer(std::string directory, int keep) : m_directory(std::move(directory)), m_keep(keep) {}

std::string Checkpointer::save(const TrainerBase& trainer) const {
  std::error_code error;
  fs::create_directories(m_directory, error);
  if (error) throw Error("cannot create checkpoint folder " + m_directory + ": " + error.message());
  const fs::path final_path = fs::path(m_directory) / checkpoint_name(trainer.iteration());
  try {
    write_checkpoint_file(trainer.checkpoint_state(), final_path.string());  // temporary file + rename
  } catch (const std::exception& e) {
    throw Error("cannot write checkpoint " + final_path.string() + ": " + e.what());
  }

  const auto existing = list();
  for (std::size_t i = 0; i + static_cast<std::size_t>(m_keep) < existing.size(); ++i) fs::remove(existing[i], error);
  return final_path.string();
}

std::vector<std::string> Checkpointer::list() const {
  std::vector<std::string> paths;
  std::error_code error;
  if (!fs::is_directory(m_directory, error)) return paths;
  for (const auto& entry : fs::directory_iterator(m_directory, error)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kPrefix, 0) == 0 && (ends_with(name, kSuffix) || ends_with(name, kLegacySuffix)))
      paths.push_back(entry.path().string());
  }
  // Zero-padded iterations sort numerically; of one iteration, the legacy ".pt" sorts before ".safetensors".
  std::sort(paths.begin(), paths.end());
  return paths;
}

std::optional<std::string> Checkpointer::resume(TrainerBase& trainer, std::vector<std::string>* warnings,
                                                torch::Device device) const {
  const auto paths = list();
  if (paths.empty()) return std::nullopt;
  // A checkpoint that fails half-way (another model's optimiser, say) must not leave a mix behind.
  const CheckpointState before = trainer.checkpoint_state().deep_copy();
  for (auto it = paths.rbegin(); it != paths.rend(); ++it) {
    try {
      if (is_zip_file(*it)) {
        load_legacy_file(trainer, *it, device);
      } else {
        trainer.load_checkpoint(read_checkpoint_file(*it));
      }
      return *it;
    } catch (const std::exception& e) {
      trainer.load_checkpoint(before);
      std::string first_line = e.what();
      first_line = first_line.substr(0, first_line.find('\n'));
      if (warnings) warnings->push_back(*it + ": unreadable checkpoint (" + first_line + "); trying the previous one");
    }
  }
  return std::nullopt;
}

CheckpointHook::CheckpointHook(Checkpointer checkpointer, std::int64_t period)
    : m_checkpointer(std::move(checkpointer)), m_period(period) {}

void CheckpointHook::after_step(TrainerBase& trainer, const StepResult&) {
  if (m_period > 0 && trainer.iteration() % m_period == 0) {
    m_last_saved = m_checkpointer.save(trainer);
    m_last_saved_iteration = trainer.iteration();
  }
}

void CheckpointHook::after_train(TrainerBase& trainer, bool) {
  if (trainer.iteration() != m_last_saved_iteration && trainer.iteration() > 0) {
    m_last_saved = m_checkpointer.save(trainer);
    m_last_saved_iteration = trainer.iteration();
  }
}

}  // namespace counterscope::engine
