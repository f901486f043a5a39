#pragma once
// How long-running core work talks to its caller: a progress callback and an atomic cancellation flag.
// The CLI prints progress on stderr; the application forwards it to the GUI thread through signals.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace counterscope {

/// One progress report of a job.
struct Progress {
  std::string stage;      ///< what the job is doing now, e.g. "parse annotations"
  std::int64_t done = 0;  ///< units finished in this stage
  std::int64_t total = 0; ///< units in this stage; 0 when unknown
  std::string message;    ///< optional free text (a loss value, a file name)
};

using ProgressCallback = std::function<void(const Progress&)>;

/// What a job receives from its caller. Both members are optional.
struct JobContext {
  ProgressCallback on_progress;               ///< called from the job's thread; must be cheap
  const std::atomic<bool>* cancel = nullptr;  ///< set to true by the caller to stop the job

  bool cancelled() const { return cancel != nullptr && cancel->load(std::memory_order_relaxed); }
  /// Throws counterscope::Cancelled when the caller asked to stop.
  void throw_if_cancelled() const;
  void report(const std::string& stage, std::int64_t done, std::int64_t total,
              const std::string& message = {}) const {
    if (on_progress) on_progress(Progress{stage, done, total, message});
  }
};

}  // namespace counterscope
