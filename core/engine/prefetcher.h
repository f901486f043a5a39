#pragma once
// Produces items 0, 1, 2, ... (batches) in background threads, ahead of the consumer, and hands them out in
// order. Each item is a pure function of its index, so the result never depends on the thread count or on
// timing — which is what makes resumed training identical to an uninterrupted run.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace counterscope::engine {

template <typename Item>
class Prefetcher {
 public:
  using Producer = std::function<Item(std::int64_t index)>;

  /// `workers` threads keep up to `depth` items ready, starting at `first_index`.
  Prefetcher(Producer produce, int workers, int depth, std::int64_t first_index = 0)
      : m_produce(std::move(produce)), m_depth(depth < 1 ? 1 : depth), m_next_to_claim(first_index),
        m_next_to_consume(first_index) {
    for (int i = 0; i < (workers < 1 ? 1 : workers); ++i) m_threads.emplace_back([this] { work(); });
  }

  ~Prefetcher() {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_stopping = true;
    }
    m_changed.notify_all();
    for (auto& thread : m_threads) thread.join();
  }

  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  /// The next item in order; rethrows the producer's exception for that index.
  Item next() {
    const auto start = std::chrono::steady_clock::now();
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [&] { return m_ready.count(m_next_to_consume) > 0; });
    auto node = m_ready.extract(m_next_to_consume);
    ++m_next_to_consume;
    m_wait_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    lock.unlock();
    m_changed.notify_all();
    if (node.mapped().error) std::rethrow_exception(node.mapped().error);
    return std::move(node.mapped().item);
  }

  /// Total seconds next() spent waiting for the producers (0 means the consumer never waited for data).
  double wait_seconds() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_wait_seconds;
  }

 private:
  struct Slot {
    Item item{};
    std::exception_ptr error;
  };

  void work() {
    while (true) {
      std::int64_t index;
      {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_changed.wait(lock, [&] { return m_stopping || m_next_to_claim < m_next_to_consume + m_depth; });
        if (m_stopping) return;
        index = m_next_to_claim++;
      }
      Slot slot;
      try {
        slot.item = m_produce(index);
      } catch (...) {
        slot.error = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_ready.emplace(index, std::move(slot));
      }
      m_changed.notify_all();
    }
  }

  Producer m_produce;
  int m_depth;
  mutable std::mutex m_mutex;
  std::condition_variable m_changed;
  std::map<std::int64_t, Slot> m_ready;
  std::int64_t m_next_to_claim;
  std::int64_t m_next_to_consume;
  bool m_stopping = false;
  double m_wait_seconds = 0;
  std::vector<std::thread> m_threads;
};

}  // namespace counterscope::engine
