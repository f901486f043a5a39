#pragma once
// Measures the GUI thread's stalls, and tells the application's stalls from the machine's.
//
// A 5 ms timer on the GUI thread records every gap between its ticks. A stall of the application (work,
// a lock or I/O on the GUI thread) shows there only. A pause of the whole machine (the hypervisor
// descheduling a shared VM, a frozen container) delays every thread alike, so a control thread that only
// sleeps in 5 ms steps records it as well: its gaps mark the machine's pauses. The application is charged
// with each GUI gap less the part of it that the control thread also lost.
//
// For the message, the longest gap also carries the GUI thread's CPU time, its wait for a core
// (schedstat), its major page faults and the machine's steal time within it.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <time.h>

#include <QObject>
#include <QTimer>

namespace counterscope::ui::test {

using StallClock = std::chrono::steady_clock;

struct Interval {
  StallClock::time_point begin, end;
  double ms() const { return std::chrono::duration<double, std::milli>(end - begin).count(); }
};

/// Milliseconds of `gap` not covered by any of `pauses` (pauses may overlap each other).
inline double uncoveredMs(const Interval& gap, std::vector<Interval> pauses) {
  std::sort(pauses.begin(), pauses.end(), [](const Interval& a, const Interval& b) { return a.begin < b.begin; });
  StallClock::duration covered{0};
  StallClock::time_point cursor = gap.begin;
  for (const Interval& pause : pauses) {
    const auto from = std::max(cursor, pause.begin), to = std::min(gap.end, pause.end);
    if (to > from) {
      covered += to - from;
      cursor = to;
    }
  }
  return std::chrono::duration<double, std::milli>(gap.end - gap.begin - covered).count();
}

/// Counters of the calling thread and of the machine, sampled at each tick.
struct ThreadSample {
  long long cpuNs = 0;        ///< the thread's CPU time
  long long runQueueNs = 0;   ///< the thread's time runnable but waiting for a core
  long long majorFaults = 0;  ///< the thread's page faults that read from disk
  long long stealTicks = 0;   ///< the machine's steal time (USER_HZ ticks, all CPUs)

  /// The calling thread's run-queue wait so far (Linux schedstat); 0 where unavailable.
  static long long runQueueNowNs() {
    long long run = 0, wait = 0;
    if (std::FILE* f = std::fopen("/proc/thread-self/schedstat", "r")) {
      if (std::fscanf(f, "%lld %lld", &run, &wait) != 2) wait = 0;
      std::fclose(f);
    }
    return wait;
  }

  static ThreadSample now() {
    ThreadSample s;
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    s.cpuNs = static_cast<long long>(t.tv_sec) * 1000000000LL + t.tv_nsec;
    s.runQueueNs = runQueueNowNs();
    rusage usage{};
    if (getrusage(RUSAGE_THREAD, &usage) == 0) s.majorFaults = usage.ru_majflt;
    if (std::FILE* f = std::fopen("/proc/stat", "r")) {
      long long v[8] = {};
      if (std::fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld %lld", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                      &v[6], &v[7]) == 8)
        s.stealTicks = v[7];
      std::fclose(f);
    }
    return s;
  }
};

class GuiStallProbe : public QObject {
 public:
  explicit GuiStallProbe(int periodMs) : m_period(std::chrono::milliseconds(periodMs)) {
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(periodMs);
    QObject::connect(&m_timer, &QTimer::timeout, this, [this] { tick(); });
  }
  ~GuiStallProbe() override { stop(); }

  void start() {
    m_last = StallClock::now();
    m_lastSample = ThreadSample::now();
    m_stopping = false;
    m_control = std::thread([this] { controlLoop(); });
    m_timer.start();
  }
  void stop() {
    m_timer.stop();
    m_stopping = true;
    if (m_control.joinable()) m_control.join();
  }

  int ticks() const { return m_ticks; }
  /// The longest gap between two ticks of the GUI timer, as measured.
  double longestGapMs() const { return m_longest.ms(); }
  /// The longest gap less what the machine's pauses (the control thread's gaps) explain.
  double longestApplicationStallMs() const {
    std::vector<Interval> pauses;
    {
      std::lock_guard<std::mutex> lock(m_pausesMutex);
      pauses = m_pauses;
    }
    double worst = 0;
    for (const Interval& gap : m_gaps) worst = std::max(worst, uncoveredMs(gap, pauses));
    return worst;
  }
  /// The longest machine pause the control thread saw.
  double longestMachinePauseMs() const {
    std::lock_guard<std::mutex> lock(m_pausesMutex);
    double worst = 0;
    for (const Interval& pause : m_pauses) worst = std::max(worst, pause.ms());
    return worst;
  }

  std::string describeLongestGap() const {
    char text[256];
    std::snprintf(text, sizeof text,
                  "%.1f ms (GUI thread: %.1f ms on the CPU, %.1f ms waiting for a core, %lld major faults; "
                  "machine: %lld steal ticks)",
                  longestGapMs(), static_cast<double>(m_longestDelta.cpuNs) / 1e6,
                  static_cast<double>(m_longestDelta.runQueueNs) / 1e6, m_longestDelta.majorFaults,
                  m_longestDelta.stealTicks);
    return text;
  }

 private:
  void tick() {
    const auto now = StallClock::now();
    const ThreadSample sample = ThreadSample::now();
    const Interval gap{m_last, now};
    // Gaps near the period are the timer working; keep the rest for the attribution at the end.
    if (now - m_last > 3 * m_period) m_gaps.push_back(gap);
    if (gap.ms() > m_longest.ms()) {
      m_longest = gap;
      m_longestDelta = {sample.cpuNs - m_lastSample.cpuNs, sample.runQueueNs - m_lastSample.runQueueNs,
                        sample.majorFaults - m_lastSample.majorFaults, sample.stealTicks - m_lastSample.stealTicks};
    }
    m_last = now;
    m_lastSample = sample;
    ++m_ticks;
  }

  void controlLoop() {
    auto last = StallClock::now();
    long long lastWait = ThreadSample::runQueueNowNs();
    while (!m_stopping) {
      std::this_thread::sleep_for(m_period);
      const auto now = StallClock::now();
      const long long wait = ThreadSample::runQueueNowNs();  // only this: the loop runs every 5 ms
      // The thread asked to sleep one period. Time beyond it that it spent waiting for a core is the load of
      // this machine (the training job among it) and is not excused; what remains beyond a period of slack
      // for an ordinary late wake-up is time the machine did not run it at all.
      const auto begin = last + m_period + std::chrono::nanoseconds(wait - lastWait);
      if (now - begin > m_period) {
        std::lock_guard<std::mutex> lock(m_pausesMutex);
        m_pauses.push_back({begin, now});
      }
      last = now;
      lastWait = wait;
    }
  }

  const StallClock::duration m_period;
  QTimer m_timer;
  StallClock::time_point m_last{};
  ThreadSample m_lastSample;
  std::vector<Interval> m_gaps;
  Interval m_longest{};
  ThreadSample m_longestDelta;
  int m_ticks = 0;

  std::thread m_control;
  std::atomic<bool> m_stopping{false};
  mutable std::mutex m_pausesMutex;
  std::vector<Interval> m_pauses;
};

}  // namespace counterscope::ui::test
