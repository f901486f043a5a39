#pragma once
// The numbers a progress message carries. The engine's ProgressHook writes "loss 1.234  lr 0.01  0.52 s/it";
// the job view plots these values live without waiting for the metrics log to be flushed.

#include <string>
#include <utility>
#include <vector>

namespace counterscope::ui {

/// Pairs "name value" in order of appearance ("loss 1.2  lr 0.01" → {loss, 1.2}, {lr, 0.01}); a number
/// followed by "s/it" becomes {"s/it", value}. Other words are skipped; an empty message gives nothing.
std::vector<std::pair<std::string, double>> parse_progress_metrics(const std::string& message);

}  // namespace counterscope::ui
