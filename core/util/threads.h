#pragma once
// Thread settings. Debian's LibTorch starts with one intra-op thread; Counterscope uses every core
// unless told otherwise (--threads), and uses the same count on both sides of every comparison.

namespace counterscope {

/// Number of hardware threads (at least 1).
int hardware_thread_count();

/// Sets LibTorch's intra-op thread count; `threads <= 0` means hardware_thread_count().
/// Returns the count in force afterwards. Defined in counterscope_torch_util (links LibTorch).
int configure_torch_threads(int threads = 0);

}  // namespace counterscope
