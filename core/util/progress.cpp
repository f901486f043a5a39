#include "core/util/progress.h"

#include "core/util/error.h"

namespace counterscope {

void JobContext::throw_if_cancelled() const {
  if (cancelled()) throw Cancelled();
}

}  // namespace counterscope
