#include "core/util/eta_estimator.h"

namespace counterscope {

void EtaEstimator::update(const std::string& stage, std::int64_t done, std::int64_t total, double now_seconds) {
  if (!m_started || stage != m_stage || done < m_start_done) {
    m_stage = stage;
    m_started = true;
    m_start_done = done;
    m_start_seconds = now_seconds;
    m_remaining = -1;
    return;
  }
  const std::int64_t advanced = done - m_start_done;
  if (total <= 0 || advanced <= 0) {
    m_remaining = -1;
    return;
  }
  const double per_unit = (now_seconds - m_start_seconds) / static_cast<double>(advanced);
  m_remaining = done >= total ? 0.0 : per_unit * static_cast<double>(total - done);
}

}  // namespace counterscope
