#include "cli/progress_printer.h"

#include <unistd.h>

#include <cstdio>

namespace counterscope::cli {
namespace {

std::string format_seconds(double seconds) {
  char buffer[32];
  const long total = static_cast<long>(seconds + 0.5);
  if (total >= 3600)
    std::snprintf(buffer, sizeof buffer, "%ldh%02ldm", total / 3600, (total / 60) % 60);
  else
    std::snprintf(buffer, sizeof buffer, "%ldm%02lds", total / 60, total % 60);
  return buffer;
}

}  // namespace

ProgressPrinter::ProgressPrinter() : m_is_terminal(isatty(STDERR_FILENO) != 0) {}

ProgressCallback ProgressPrinter::callback() {
  return [this](const Progress& progress) { print(progress); };
}

void ProgressPrinter::print(const Progress& progress) {
  const auto now = std::chrono::steady_clock::now();
  m_eta.update(progress.stage, progress.done, progress.total,
               std::chrono::duration<double>(now.time_since_epoch()).count());
  if (progress.stage != m_stage) {
    finish();
    m_stage = progress.stage;
    m_stage_start = now;
    m_last_print = now - std::chrono::hours(1);
  }
  const bool last = progress.total > 0 && progress.done >= progress.total;
  const auto min_interval = m_is_terminal ? std::chrono::milliseconds(100) : std::chrono::milliseconds(1000);
  if (!last && now - m_last_print < min_interval) return;
  m_last_print = now;

  const double elapsed = std::chrono::duration<double>(now - m_stage_start).count();
  std::string line = progress.stage;
  if (progress.total > 0) {
    const double fraction = static_cast<double>(progress.done) / static_cast<double>(progress.total);
    const int width = 24;
    const int filled = static_cast<int>(fraction * width);
    line += " [" + std::string(filled, '#') + std::string(width - filled, '.') + "] ";
    line += std::to_string(progress.done) + "/" + std::to_string(progress.total);
    if (!last && m_eta.remaining_seconds() >= 0)
      line += " ETA " + format_seconds(m_eta.remaining_seconds());
    else
      line += " " + format_seconds(elapsed);
  } else if (progress.done > 0) {
    line += " " + std::to_string(progress.done);
  }
  if (!progress.message.empty()) line += "  " + progress.message;

  if (m_is_terminal) {
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    m_line_open = true;
    if (last) finish();
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

void ProgressPrinter::finish() {
  if (m_line_open) std::fprintf(stderr, "\n");
  m_line_open = false;
}

}  // namespace counterscope::cli
