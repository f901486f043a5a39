#include "core/engine/checkpointer.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "core/util/error.h"

namespace counterscope::engine {
namespace fs = std::filesystem;
namespace {

constexpr const char* kPrefix = "checkpoint_";
constexpr const char* kSuffix = ".pt";

std::string checkpoint_name(std::int64_t iteration) {
  char name[64];
  std::snprintf(name, sizeof name, "%s%09lld%s", kPrefix, static_cast<long long>(iteration), kSuffix);
  return name;
}

}  // namespace

Checkpointer::Checkpointer(std::string directory, int keep) : m_directory(std::move(directory)), m_keep(keep) {}

std::string Checkpointer::save(const TrainerBase& trainer) const {
  std::error_code error;
  fs::create_directories(m_directory, error);
  if (error) throw Error("cannot create checkpoint folder " + m_directory + ": " + error.message());
  const fs::path final_path = fs::path(m_directory) / checkpoint_name(trainer.iteration());
  const fs::path temporary = final_path.string() + ".tmp";
  torch::serialize::OutputArchive archive;
  trainer.save_checkpoint(archive);
  try {
    archive.save_to(temporary.string());
  } catch (const std::exception& e) {
    fs::remove(temporary, error);
    throw Error("cannot write checkpoint " + temporary.string() + ": " + e.what());
  }
  fs::rename(temporary, final_path, error);
  if (error) throw Error("cannot rename " + temporary.string() + " to " + final_path.string() + ": " + error.message());

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
    if (name.rfind(kPrefix, 0) == 0 && name.size() > 3 && name.substr(name.size() - 3) == kSuffix)
      paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());  // zero-padded iterations sort numerically
  return paths;
}

std::optional<std::string> Checkpointer::resume(TrainerBase& trainer, std::vector<std::string>* warnings,
                                                torch::Device device) const {
  const auto paths = list();
  for (auto it = paths.rbegin(); it != paths.rend(); ++it) {
    try {
      torch::serialize::InputArchive archive;
      archive.load_from(*it, device);
      trainer.load_checkpoint(archive);
      return *it;
    } catch (const std::exception& e) {
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
