#pragma once
// Prints a job's progress on stderr: a bar with rate and ETA on a terminal, plain lines (at most one a
// second) when stderr is a file, so logs over SSH stay readable.

#include <chrono>
#include <string>

#include "core/util/eta_estimator.h"
#include "core/util/progress.h"

namespace counterscope::cli {

class ProgressPrinter {
 public:
  ProgressPrinter();
  /// A callback for JobContext::on_progress that prints through this printer.
  ProgressCallback callback();
  void print(const Progress& progress);
  /// Ends the current line (call once the job is done).
  void finish();

 private:
  bool m_is_terminal;
  std::string m_stage;
  std::chrono::steady_clock::time_point m_stage_start, m_last_print;
  bool m_line_open = false;
  EtaEstimator m_eta;  // rate since the stage's first report, so a resumed run (done > 0) is not "nearly done"
};

}  // namespace counterscope::cli
