#include "core/util/threads.h"

#include <algorithm>
#include <thread>

namespace counterscope {

int hardware_thread_count() {
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace counterscope
