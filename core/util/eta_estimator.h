#pragma once
// Remaining time of a job stage from its progress reports: the mean rate since the stage began (or since the
// first report of a resumed stage, which may start at done > 0) applied to the units left. Pure arithmetic on
// the times given, so that it can be tested without a clock. The CLI's progress bar and the Jobs dock share it.

#include <cstdint>
#include <string>

namespace counterscope {

class EtaEstimator {
 public:
  /// Records a report at `now_seconds` (any monotonic origin). A new stage name restarts the estimate.
  void update(const std::string& stage, std::int64_t done, std::int64_t total, double now_seconds);
  /// Seconds left in the current stage; -1 while unknown (no total, or no unit finished since the stage began).
  double remaining_seconds() const { return m_remaining; }
  void reset() { *this = EtaEstimator(); }

 private:
  std::string m_stage;
  bool m_started = false;
  std::int64_t m_start_done = 0;
  double m_start_seconds = 0;
  double m_remaining = -1;
};

}  // namespace counterscope
