#include "core/evaluation/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "core/util/error.h"
#include "core/util/threads.h"

namespace counterscope::evaluation {

int worker_count(int threads, std::size_t count) {
  const int wanted = threads > 0 ? threads : hardware_thread_count();
  return static_cast<int>(std::max<std::size_t>(1, std::min<std::size_t>(static_cast<std::size_t>(wanted), count)));
}

void parallel_for(std::size_t count, int threads, const std::function<void(std::size_t, int)>& body,
                  const JobContext& context, const std::string& stage) {
  const int workers = worker_count(threads, count);
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::atomic<bool> stop{false};
  std::exception_ptr failure;
  std::mutex failure_mutex;

  auto work = [&](int worker) {
    try {
      while (!stop.load(std::memory_order_relaxed)) {
        if (context.cancelled()) {
          stop = true;
          break;
        }
        const std::size_t item = next.fetch_add(1, std::memory_order_relaxed);
        if (item >= count) break;
        body(item, worker);
        const std::size_t finished = done.fetch_add(1, std::memory_order_relaxed) + 1;
        if (worker == 0 && !stage.empty()) {
          context.report(stage, static_cast<std::int64_t>(finished), static_cast<std::int64_t>(count));
        }
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      stop = true;
    }
  };

  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(workers - 1));
  for (int w = 1; w < workers; ++w) pool.emplace_back(work, w);
  work(0);
  for (auto& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
  context.throw_if_cancelled();
  if (!stage.empty()) {
    context.report(stage, static_cast<std::int64_t>(count), static_cast<std::int64_t>(count));
  }
}

}  // namespace counterscope::evaluation
