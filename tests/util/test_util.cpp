#include <atomic>

#include <gtest/gtest.h>

#include "core/util/error.h"
#include "core/util/progress.h"
#include "core/util/threads.h"

namespace counterscope {
namespace {

TEST(InputError, MessageNamesSourceFieldAndValue) {
  InputError error("train.json", "annotations[3].bbox", "[1,2]", "expected 4 numbers");
  EXPECT_STREQ(error.what(), "train.json: annotations[3].bbox = [1,2]: expected 4 numbers");
  EXPECT_EQ(error.source(), "train.json");
  EXPECT_EQ(error.field(), "annotations[3].bbox");
}

TEST(QuoteForMessage, ShortensLongValues) {
  EXPECT_EQ(quote_for_message("abc"), "\"abc\"");
  EXPECT_EQ(quote_for_message(std::string(100, 'x'), 4), "\"xxxx...\"");
}

TEST(JobContext, ReportsProgressAndHonoursCancellation) {
  std::atomic<bool> cancel{false};
  int calls = 0;
  JobContext context{[&](const Progress& p) { calls += static_cast<int>(p.done); }, &cancel};
  context.report("stage", 3, 10);
  EXPECT_EQ(calls, 3);
  EXPECT_NO_THROW(context.throw_if_cancelled());
  cancel = true;
  EXPECT_TRUE(context.cancelled());
  EXPECT_THROW(context.throw_if_cancelled(), Cancelled);
  JobContext empty;
  EXPECT_FALSE(empty.cancelled());
  empty.report("nothing listens", 1, 1);
}

TEST(Threads, ConfigureUsesAllCoresByDefault) {
  EXPECT_EQ(configure_torch_threads(0), hardware_thread_count());
  EXPECT_EQ(configure_torch_threads(1), 1);
}

}  // namespace
}  // namespace counterscope
