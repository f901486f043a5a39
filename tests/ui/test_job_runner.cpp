// The job adapter: progress signals arrive in order with the outcome last, the numbers of progress messages
// become metric points, cancel stops a job and reports it cancelled, a failing job reports its error and the
// application carries on; the ETA and message helpers; and a real detector training on a tiny synthetic
// world (progress, live loss, weights written, cancel + resume).

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include <QSignalSpy>
#include <QtTest>

#include "core/util/error.h"
#include "tests/support/tiny_synthetic_world.h"
#include "tests/test_paths.h"
#include "ui/job_factories.h"
#include "ui/job_runner.h"
#include "ui/progress_metrics.h"

using namespace counterscope;
using namespace counterscope::ui;

namespace {

namespace fs = std::filesystem;
const fs::path kRoot = fs::path(COUNTERSCOPE_TEST_TMP_DIR) / "test_job_runner";

struct Report {
  QString stage;
  qint64 done;
  qint64 total;
};

bool waitFinished(JobRunner& runner, int ms = 60000) {
  QSignalSpy finished(&runner, &JobRunner::finished);
  return !runner.isActive() || finished.wait(ms);
}

}  // namespace

class TestJobRunner : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    fs::remove_all(kRoot);
    fs::create_directories(kRoot);
  }

  void progressArrivesInOrderAndOutcomeLast() {
    JobRunner runner(QStringLiteral("count"), QStringLiteral("test"), [](const JobContext& context) {
      for (int stage = 0; stage < 3; ++stage) {
        for (int i = 0; i <= 4; ++i) {
          context.report("stage " + std::to_string(stage), i, 4, "loss " + std::to_string(10 - stage * 3 - i));
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
      }
      JobOutcome outcome;
      outcome.outputs[QStringLiteral("answer")] = 42;
      return outcome;
    });
    QList<Report> reports;
    QList<QString> events;
    QList<QPointF> losses;
    connect(&runner, &JobRunner::progressed, this, [&](const QString& stage, qint64 done, qint64 total) {
      reports.append({stage, done, total});
      events.append(QStringLiteral("progress"));
    });
    connect(&runner, &JobRunner::metricPoint, this, [&](qint64 step, const QString& name, double value) {
      if (name == QLatin1String("loss")) losses.append(QPointF(static_cast<double>(step), value));
    });
    connect(&runner, &JobRunner::succeeded, this, [&] { events.append(QStringLiteral("succeeded")); });
    connect(&runner, &JobRunner::finished, this, [&] { events.append(QStringLiteral("finished")); });
    QSignalSpy states(&runner, &JobRunner::stateChanged);
    runner.start();
    QCOMPARE(runner.state(), JobState::Running);
    QVERIFY(waitFinished(runner));

    QCOMPARE(runner.state(), JobState::Succeeded);
    QCOMPARE(runner.outputs().value(QStringLiteral("answer")).toInt(), 42);
    QVERIFY(events.size() >= 5);
    QCOMPARE(events.at(events.size() - 2), QStringLiteral("succeeded"));
    QCOMPARE(events.last(), QStringLiteral("finished"));
    // Every stage is reported, in order, each reaching its end; within a stage `done` never goes back.
    QStringList stages;
    for (const Report& report : reports) {
      if (stages.isEmpty() || stages.last() != report.stage) stages.append(report.stage);
    }
    QCOMPARE(stages, QStringList({QStringLiteral("stage 0"), QStringLiteral("stage 1"), QStringLiteral("stage 2")}));
    for (int i = 1; i < reports.size(); ++i) {
      if (reports[i].stage == reports[i - 1].stage) QVERIFY(reports[i].done >= reports[i - 1].done);
    }
    QCOMPARE(reports.last().done, 4);
    QCOMPARE(reports.last().total, 4);
    // Every step's loss arrives (the chart is not throttled by the progress throttle).
    QCOMPARE(losses.size(), 15);
    QCOMPARE(losses.first(), QPointF(0, 10));
    QCOMPARE(losses.last(), QPointF(4, 0));
    QCOMPARE(states.count(), 2);  // running, succeeded
    QVERIFY(runner.log().last().contains(QStringLiteral("finished")));
  }

  void cancelStopsAndReportsCancelled() {
    std::atomic<int> steps{0};
    JobRunner runner(QStringLiteral("endless"), QStringLiteral("test"), [&steps](const JobContext& context) {
      for (std::int64_t i = 0;; ++i) {
        context.throw_if_cancelled();
        context.report("loop", i, 0);
        ++steps;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      return JobOutcome{};
    });
    QSignalSpy cancelled(&runner, &JobRunner::cancelled);
    QSignalSpy failed(&runner, &JobRunner::failed);
    QSignalSpy progressed(&runner, &JobRunner::progressed);
    runner.start();
    QVERIFY(progressed.wait(10000));
    runner.cancel();
    QVERIFY(waitFinished(runner, 10000));
    QCOMPARE(runner.state(), JobState::Cancelled);
    QCOMPARE(cancelled.count(), 1);
    QCOMPARE(failed.count(), 0);
    QVERIFY(runner.wait(5000));
    const int stopped = steps;
    QTest::qWait(20);
    QCOMPARE(steps.load(), stopped);  // the worker really ended
  }

  void cancelledOutcomeWithoutExceptionIsCancelled() {
    // train_detector returns completed = false when its cancel flag stops it.
    JobRunner runner(QStringLiteral("soft"), QStringLiteral("test"), [](const JobContext& context) {
      while (!context.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      JobOutcome outcome;
      outcome.completed = false;
      return outcome;
    });
    QSignalSpy cancelled(&runner, &JobRunner::cancelled);
    runner.start();
    runner.cancel();
    QVERIFY(waitFinished(runner, 10000));
    QCOMPARE(runner.state(), JobState::Cancelled);
    QCOMPARE(cancelled.count(), 1);
  }

  void cancelBeforeStartNeverRuns() {
    bool ran = false;
    JobRunner runner(QStringLiteral("never"), QStringLiteral("test"), [&ran](const JobContext&) {
      ran = true;
      return JobOutcome{};
    });
    QSignalSpy finished(&runner, &JobRunner::finished);
    runner.cancel();
    QCOMPARE(runner.state(), JobState::Cancelled);
    QCOMPARE(finished.count(), 1);
    runner.start();  // ignored
    QVERIFY(runner.wait(1000));
    QVERIFY(!ran);
  }

  void failureReportsTheErrorAndAnotherJobStillRuns() {
    JobRunner failing(QStringLiteral("bad"), QStringLiteral("test"), [](const JobContext& context) -> JobOutcome {
      context.report("read", 0, 1);
      throw InputError("train.json", "images", "3", "expected an array");
    });
    QSignalSpy failed(&failing, &JobRunner::failed);
    QSignalSpy succeeded(&failing, &JobRunner::succeeded);
    failing.start();
    QVERIFY(waitFinished(failing));
    QCOMPARE(failing.state(), JobState::Failed);
    QCOMPARE(failed.count(), 1);
    QCOMPARE(succeeded.count(), 0);
    const QString message = failed.first().first().toString();
    QVERIFY2(message.contains(QStringLiteral("train.json")) && message.contains(QStringLiteral("expected an array")),
             qPrintable(message));
    QCOMPARE(failing.errorMessage(), message);
    QVERIFY(failing.log().last().contains(QStringLiteral("expected an array")));

    JobRunner next(QStringLiteral("good"), QStringLiteral("test"), [](const JobContext&) { return JobOutcome{}; });
    next.start();
    QVERIFY(waitFinished(next));
    QCOMPARE(next.state(), JobState::Succeeded);
  }

  void resumeFunctionContinuesAJob() {
    JobRunner runner(QStringLiteral("train"), QStringLiteral("test"), [](const JobContext&) -> JobOutcome {
      throw Error("disk full");
    });
    QVERIFY(!runner.canResume());  // no resume function
    runner.setResumeFunction([](const JobContext&) {
      JobOutcome outcome;
      outcome.outputs[QStringLiteral("resumed")] = true;
      return outcome;
    });
    QVERIFY(!runner.canResume());  // not finished yet
    runner.start();
    QVERIFY(waitFinished(runner));
    QVERIFY(runner.canResume());
    std::unique_ptr<JobRunner> resumed(runner.createResumed(nullptr));
    QVERIFY(resumed != nullptr);
    resumed->start();
    QVERIFY(waitFinished(*resumed));
    QCOMPARE(resumed->state(), JobState::Succeeded);
    QVERIFY(resumed->outputs().value(QStringLiteral("resumed")).toBool());
  }

  void progressMessagesCarryMetrics() {
    const auto metrics = parse_progress_metrics("loss 1.25  lr 0.01  0.52 s/it");
    QCOMPARE(metrics.size(), std::size_t{3});
    QCOMPARE(metrics[0].first, std::string("loss"));
    QCOMPARE(metrics[0].second, 1.25);
    QCOMPARE(metrics[1].first, std::string("lr"));
    QCOMPARE(metrics[1].second, 0.01);
    QCOMPARE(metrics[2].first, std::string("s/it"));
    QCOMPARE(metrics[2].second, 0.52);
    QVERIFY(parse_progress_metrics("").empty());
    QVERIFY(parse_progress_metrics("image_0001.jpg").empty());
    QVERIFY(parse_progress_metrics("loss nan").empty());
  }

  void trainsATinyDetectorWithLiveLossThenCancelsAndResumes() {
    const testing::TinyWorldPaths world = testing::write_tiny_world(kRoot / "world");
    testing::write_tiny_64px_model_config(kRoot / "model.json");

    TrainingJobSpec spec;
    spec.model = QString::fromStdString((kRoot / "model.json").string());
    spec.trainAnnotations = QString::fromStdString(world.train_annotations.string());
    spec.imageRoot = QString::fromStdString(world.image_root.string());
    spec.loss = QStringLiteral("seesaw");
    spec.iterations = 3;
    spec.batchSize = 2;
    spec.checkpointPeriod = 1;
    spec.logPeriod = 1;
    spec.outputDir = QString::fromStdString((kRoot / "train").string());
    std::unique_ptr<JobRunner> runner(createTrainingRunner(spec, nullptr));
    QList<qint64> trainSteps;
    QList<qint64> lossSteps;
    connect(runner.get(), &JobRunner::progressed, this, [&](const QString& stage, qint64 done) {
      if (stage == QLatin1String("train")) trainSteps.append(done);
    });
    connect(runner.get(), &JobRunner::metricPoint, this, [&](qint64 step, const QString& name) {
      if (name == QLatin1String("loss")) lossSteps.append(step);
    });
    runner->start();
    QVERIFY(waitFinished(*runner, 120000));
    QVERIFY2(runner->state() == JobState::Succeeded, qPrintable(runner->errorMessage()));
    QVERIFY(!trainSteps.isEmpty());
    QCOMPARE(trainSteps.last(), 3);
    QCOMPARE(lossSteps, QList<qint64>({1, 2, 3}));
    const QString weights = runner->outputs().value(QStringLiteral("weights")).toString();
    QVERIFY(fs::exists(weights.toStdString()));
    QVERIFY(fs::exists(runner->outputs().value(QStringLiteral("model_config")).toString().toStdString()));

    // Cancelled after its first step, then resumed to the end from the checkpoint.
    spec.iterations = 6;
    spec.outputDir = QString::fromStdString((kRoot / "interrupted").string());
    std::unique_ptr<JobRunner> interrupted(createTrainingRunner(spec, nullptr));
    connect(interrupted.get(), &JobRunner::metricPoint, interrupted.get(),
            [&](qint64, const QString& name) {
              if (name == QLatin1String("loss")) interrupted->cancel();
            });
    interrupted->start();
    QVERIFY(waitFinished(*interrupted, 120000));
    QCOMPARE(interrupted->state(), JobState::Cancelled);
    QVERIFY(interrupted->canResume());
    QVERIFY(!fs::exists(kRoot / "interrupted" / "model.safetensors"));
    std::unique_ptr<JobRunner> resumed(interrupted->createResumed(nullptr));
    QList<qint64> resumedSteps;
    connect(resumed.get(), &JobRunner::metricPoint, this, [&](qint64 step, const QString& name) {
      if (name == QLatin1String("loss")) resumedSteps.append(step);
    });
    resumed->start();
    QVERIFY(waitFinished(*resumed, 120000));
    QVERIFY2(resumed->state() == JobState::Succeeded, qPrintable(resumed->errorMessage()));
    QVERIFY(!resumedSteps.isEmpty());
    QVERIFY(resumedSteps.first() > 1);  // continued, not restarted
    QCOMPARE(resumedSteps.last(), 6);
    QVERIFY(fs::exists(kRoot / "interrupted" / "model.safetensors"));
  }

  void aFailingTrainingNamesItsInput() {
    TrainingJobSpec spec;
    spec.trainAnnotations = QString::fromStdString((kRoot / "absent.json").string());
    spec.imageRoot = QString::fromStdString(kRoot.string());
    spec.outputDir = QString::fromStdString((kRoot / "failing").string());
    spec.iterations = 1;
    std::unique_ptr<JobRunner> runner(createTrainingRunner(spec, nullptr));
    runner->start();
    QVERIFY(waitFinished(*runner, 60000));
    QCOMPARE(runner->state(), JobState::Failed);
    QVERIFY2(runner->errorMessage().contains(QStringLiteral("absent.json")), qPrintable(runner->errorMessage()));
  }
};

QTEST_MAIN(TestJobRunner)
#include "test_job_runner.moc"
