#pragma once
// Runs independent work items on a few std::threads, taking items dynamically (items differ widely in cost:
// a frequent category has thousands of images, a rare one a handful). The calling thread works too and is
// the one that reports progress, as JobContext requires. The first exception stops the others and is
// rethrown; cancellation is checked between items.

#include <cstddef>
#include <functional>
#include <string>

#include "core/util/progress.h"

namespace counterscope::evaluation {

/// Calls body(item, worker) for every item in [0, count) on `threads` workers (0 = hardware threads),
/// worker in [0, worker count). Reports (stage, done, count) through `context`. Throws Cancelled when the
/// context asks to stop.
void parallel_for(std::size_t count, int threads, const std::function<void(std::size_t, int)>& body,
                  const JobContext& context = {}, const std::string& stage = {});

/// The worker count parallel_for uses for `threads` and `count` items.
int worker_count(int threads, std::size_t count);

}  // namespace counterscope::evaluation
