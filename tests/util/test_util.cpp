#include <atomic>

#include <gtest/gtest.h>

#include "core/util/error.h"
#include "core/util/eta_estimator.h"
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

// The rate counts from the stage's first report: a run resumed at iteration 1000 of 3000 that did 30
// iterations in 40 s has about 44 minutes left, not the 77 s that (elapsed / fraction done) would claim.
TEST(EtaEstimator, FollowsTheRateSinceTheStageBegan) {
  EtaEstimator eta;
  eta.update("cf-train", 1000, 3000, 100.0);  // resumed
  EXPECT_EQ(eta.remaining_seconds(), -1.0);
  eta.update("cf-train", 1030, 3000, 140.0);
  EXPECT_NEAR(eta.remaining_seconds(), 1970 * 40.0 / 30.0, 1e-9);
  eta.update("cf-train", 3000, 3000, 2000.0);
  EXPECT_EQ(eta.remaining_seconds(), 0.0);
  eta.update("evaluate", 0, 0, 2001.0);  // a new stage of unknown size
  EXPECT_EQ(eta.remaining_seconds(), -1.0);
  eta.update("evaluate", 5, 0, 2002.0);
  EXPECT_EQ(eta.remaining_seconds(), -1.0);
  eta.update("predict", 50, 100, 2003.0);
  eta.update("predict", 10, 100, 2004.0);  // below the stage's first report: the stage started over
  EXPECT_EQ(eta.remaining_seconds(), -1.0);
  eta.update("predict", 12, 100, 2006.0);  // 1 s per unit, 88 left
  EXPECT_EQ(eta.remaining_seconds(), 88.0);
}

TEST(Threads, ConfigureUsesAllCoresByDefault) {
  EXPECT_EQ(configure_torch_threads(0), hardware_thread_count());
  EXPECT_EQ(configure_torch_threads(1), 1);
}

}  // namespace
}  // namespace counterscope
