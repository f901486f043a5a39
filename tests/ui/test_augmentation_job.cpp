// The augmentation job in the application: the transforms method through the job runner on a tiny synthetic
// world (progress signals, the outcome's counts, the augmented dataset written and loadable, the statistics
// table and the dataset's paths in the log), "nothing to do" as a clean finish, bad input failing with a
// message that names the field or the path, cancel mid-run then resume ending with the uninterrupted run's
// images; the counterfactual method's files (detector, weights, generator) loaded and used by the job; the
// launch form (method rows, spec, remembered options) and the window's "Open the augmented dataset" action.

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <QAction>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest>

#include "core/augmentation/augmentation_plan.h"
#include "core/counterfactual/counterfactual_generator.h"
#include "core/counterfactual/generator_file.h"
#include "core/data/lvis/lvis_loader.h"
#include "tests/support/tiny_synthetic_world.h"
#include "tests/test_paths.h"
#include "tests/ui/tiny_explain_world.h"
#include "ui/dataset_document.h"
#include "ui/job_factories.h"
#include "ui/job_launch_dialog.h"
#include "ui/job_runner.h"
#include "ui/jobs_dock.h"
#include "ui/main_window.h"

using namespace counterscope;
using namespace counterscope::ui;

namespace {

namespace fs = std::filesystem;
const fs::path kRoot = fs::path(COUNTERSCOPE_TEST_TMP_DIR) / "test_ui_augmentation_job";

QString qpath(const fs::path& path) { return QString::fromStdString(path.string()); }

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool waitFinished(JobRunner& runner, int ms = 60000) {
  QSignalSpy finished(&runner, &JobRunner::finished);
  return !runner.isActive() || finished.wait(ms);
}

struct Report {
  QString stage;
  qint64 done;
  qint64 total;
};

}  // namespace

class TestAugmentationJob : public QObject {
  Q_OBJECT

 private:
  fs::path m_train;
  fs::path m_images;
  qint64 m_minimum = 0;  ///< fewest training images of any category in the world
  qint64 m_k = 0;        ///< a K that asks a few images of several categories

  AugmentationJobSpec transformsSpec(const std::string& out) const {
    AugmentationJobSpec spec;
    spec.method = QStringLiteral("transforms");
    spec.annotations = qpath(m_train);
    spec.imageRoot = qpath(m_images);
    spec.minImages = m_k;
    spec.outputDir = qpath(kRoot / out);
    spec.strength = 0.6;
    spec.seed = 7;
    spec.maxAttempts = 5;
    return spec;
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // the form's QSettings go to a test folder
    QCoreApplication::setOrganizationName(QStringLiteral("CounterscopeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("test_augmentation_job"));
    QSettings().remove(QStringLiteral("jobs/augmentation"));
    fs::remove_all(kRoot);
    const testing::TinyWorldPaths world = testing::write_tiny_world(kRoot / "world");
    m_train = world.train_annotations;
    m_images = world.image_root;
    const data::Dataset dataset = data::load_dataset(m_train.string());
    m_minimum = augmentation::plan_augmentation(dataset, 1).current_minimum;
    QVERIFY(m_minimum >= 1);  // K = 1 is "nothing to do" in this world
    m_k = m_minimum + 2;
    QVERIFY(augmentation::plan_augmentation(dataset, m_k).total_needed >= 4);
  }

  void transformsThroughTheRunner() {
    std::unique_ptr<JobRunner> runner(createAugmentationRunner(transformsSpec("straight"), nullptr));
    QCOMPARE(runner->kind(), QStringLiteral("augmentation"));
    QList<Report> augmentReports;
    connect(runner.get(), &JobRunner::progressed, this, [&](const QString& stage, qint64 done, qint64 total) {
      if (stage.startsWith(QLatin1String("augment"))) augmentReports.append({stage, done, total});
    });
    QSignalSpy succeeded(runner.get(), &JobRunner::succeeded);
    runner->start();
    QVERIFY(waitFinished(*runner));
    QVERIFY2(runner->state() == JobState::Succeeded, qPrintable(runner->errorMessage()));
    QCOMPARE(succeeded.count(), 1);

    const QVariantMap& outputs = runner->outputs();
    const qint64 added = outputs.value(QStringLiteral("images_added")).toLongLong();
    QVERIFY(added >= 4);
    QCOMPARE(outputs.value(QStringLiteral("images_resumed")).toLongLong(), 0);
    // Progress: the augment stage counts the images made, in order, up to the images added.
    QVERIFY(!augmentReports.isEmpty());
    QCOMPARE(augmentReports.first().stage, QStringLiteral("augment (transforms)"));
    for (int i = 1; i < augmentReports.size(); ++i) QVERIFY(augmentReports[i].done >= augmentReports[i - 1].done);
    QCOMPARE(augmentReports.last().done, added);
    QVERIFY(augmentReports.last().total >= added);

    // The augmented dataset: written, loadable, the original images plus the new ones, every category that
    // was not declared unreachable at K.
    const QString annotations = outputs.value(QStringLiteral("augmented_annotations")).toString();
    QCOMPARE(annotations, qpath(kRoot / "straight" / "annotations" / "train.json"));
    QCOMPARE(outputs.value(QStringLiteral("augmented_images")).toString(), qpath(kRoot / "straight" / "images"));
    QVERIFY(fs::exists(outputs.value(QStringLiteral("statistics")).toString().toStdString()));
    QVERIFY(!fs::exists(kRoot / "straight" / "INCOMPLETE"));
    const data::Dataset original = data::load_dataset(m_train.string());
    const data::Dataset augmented = data::load_dataset(annotations.toStdString());
    QCOMPARE(static_cast<qint64>(augmented.images.size()), static_cast<qint64>(original.images.size()) + added);
    const QStringList unreachable = outputs.value(QStringLiteral("unreachable")).toStringList();
    QCOMPARE(outputs.value(QStringLiteral("partial")).toBool(), !unreachable.isEmpty());
    const auto counts = augmentation::images_per_category(augmented);
    for (std::size_t c = 0; c < augmented.categories.size(); ++c) {
      const QString name = QString::fromStdString(augmented.categories[c].name);
      if (!unreachable.contains(name)) QVERIFY2(counts[c] >= m_k, qPrintable(name));
    }

    // The log: the summary, the statistics table and the paths to open the dataset with.
    const QString log = runner->log().join(QLatin1Char('\n'));
    QVERIFY2(log.contains(QStringLiteral("added %1 images (transforms)").arg(added)), qPrintable(log));
    QVERIFY2(log.contains(QStringLiteral("| group")), qPrintable(log));
    QVERIFY(log.contains(QStringLiteral("dataset: ") + annotations));
    QVERIFY(log.contains(QStringLiteral("--images ") + qpath(kRoot / "straight" / "images")));
  }

  void nothingToDoFinishesCleanly() {
    AugmentationJobSpec spec = transformsSpec("nothing");
    for (const qint64 k : {qint64{1}, m_minimum}) {
      spec.minImages = k;
      std::unique_ptr<JobRunner> runner(createAugmentationRunner(spec, nullptr));
      runner->start();
      QVERIFY(waitFinished(*runner));
      QVERIFY2(runner->state() == JobState::Succeeded, qPrintable(runner->errorMessage()));
      QVERIFY(runner->outputs().value(QStringLiteral("nothing_to_do")).toBool());
      QCOMPARE(runner->outputs().value(QStringLiteral("images_added")).toLongLong(), 0);
      QVERIFY(!runner->outputs().contains(QStringLiteral("augmented_annotations")));
      QVERIFY(runner->log().join(QLatin1Char('\n')).contains(QStringLiteral("nothing to do")));
      QVERIFY(!fs::exists(kRoot / "nothing"));  // nothing written
    }
  }

  void badInputFailsNamingTheFieldOrPath() {
    // Counterfactual without a generator: refused before anything is read.
    AugmentationJobSpec spec = transformsSpec("no-generator");
    spec.method = QStringLiteral("counterfactual");
    spec.modelConfig = QStringLiteral("tiny");
    spec.weights = qpath(kRoot / "weights.safetensors");
    std::unique_ptr<JobRunner> runner(createAugmentationRunner(spec, nullptr));
    QSignalSpy failed(runner.get(), &JobRunner::failed);
    runner->start();
    QVERIFY(waitFinished(*runner));
    QCOMPARE(runner->state(), JobState::Failed);
    QCOMPARE(failed.count(), 1);
    QCOMPARE(runner->errorMessage(), QStringLiteral("job: generator = '': required for the counterfactual method"));
    QVERIFY(!fs::exists(kRoot / "no-generator"));

    // An output folder that cannot be created (its parent is a file): the core's message names the path.
    std::ofstream(kRoot / "a-file") << "not a folder\n";
    spec = transformsSpec("a-file/out");
    std::unique_ptr<JobRunner> unwritable(createAugmentationRunner(spec, nullptr));
    unwritable->start();
    QVERIFY(waitFinished(*unwritable));
    QCOMPARE(unwritable->state(), JobState::Failed);
    QVERIFY2(unwritable->errorMessage().contains(qpath(kRoot / "a-file")), qPrintable(unwritable->errorMessage()));
    // A failed run can be run again from the Jobs dock (Resume runs the same spec).
    QVERIFY(unwritable->canResume());
    std::unique_ptr<JobRunner> again(unwritable->createResumed(nullptr));
    QVERIFY(again != nullptr);

    // An unknown method names the field.
    spec = transformsSpec("bad-method");
    spec.method = QStringLiteral("mixup");
    std::unique_ptr<JobRunner> badMethod(createAugmentationRunner(spec, nullptr));
    badMethod->start();
    QVERIFY(waitFinished(*badMethod));
    QCOMPARE(badMethod->state(), JobState::Failed);
    QVERIFY2(badMethod->errorMessage().contains(QStringLiteral("method")) &&
                 badMethod->errorMessage().contains(QStringLiteral("mixup")),
             qPrintable(badMethod->errorMessage()));
  }

  void cancelMidRunThenResumeEndsAsAnUninterruptedRun() {
    const AugmentationJobSpec spec = transformsSpec("interrupted");
    // The job is fast on 64-pixel images, so the test pauses it after its second new image until the GUI
    // thread has pressed Cancel (JobRunner::cancel, as the dock's button does): the stop is deterministic and
    // goes through the runner's JobContext like a user's cancel.
    JobRunner* self = nullptr;
    const JobFunction job = makeAugmentationJob(spec);
    JobRunner interrupted(QStringLiteral("Augment"), QStringLiteral("augmentation"),
                          [&self, job](const JobContext& context) {
                            JobContext paused = context;
                            paused.on_progress = [&self, forward = context.on_progress](const Progress& progress) {
                              forward(progress);
                              if (progress.stage.rfind("augment", 0) == 0 && progress.done == 2)
                                QMetaObject::invokeMethod(self, [&self] { self->cancel(); },
                                                          Qt::BlockingQueuedConnection);
                            };
                            return job(paused);
                          });
    self = &interrupted;
    interrupted.setResumeFunction(makeAugmentationJob(spec));  // what createAugmentationRunner sets
    interrupted.start();
    QVERIFY(waitFinished(interrupted));
    QCOMPARE(interrupted.state(), JobState::Cancelled);
    QVERIFY(fs::exists(kRoot / "interrupted" / "INCOMPLETE"));
    QVERIFY(!fs::exists(kRoot / "interrupted" / "annotations" / "train.json"));

    QVERIFY(interrupted.canResume());
    std::unique_ptr<JobRunner> resumed(interrupted.createResumed(nullptr));
    QVERIFY(resumed != nullptr);
    resumed->start();
    QVERIFY(waitFinished(*resumed));
    QVERIFY2(resumed->state() == JobState::Succeeded, qPrintable(resumed->errorMessage()));
    QCOMPARE(resumed->outputs().value(QStringLiteral("images_resumed")).toLongLong(), 2);
    QVERIFY(!fs::exists(kRoot / "interrupted" / "INCOMPLETE"));

    // The same as the uninterrupted run of transformsThroughTheRunner (same spec, other folder).
    const fs::path straight = kRoot / "straight" / "annotations" / "train.json";
    QVERIFY(fs::exists(straight));
    const data::Dataset reference = data::load_dataset(straight.string());
    const qint64 added = resumed->outputs().value(QStringLiteral("images_added")).toLongLong();
    QCOMPARE(added, static_cast<qint64>(reference.images.size() - data::load_dataset(m_train.string()).images.size()));
    QVERIFY(readFile(straight) == readFile(kRoot / "interrupted" / "annotations" / "train.json"));
  }

  void counterfactualMethodUsesTheModelAndGenerator() {
    // An untrained tiny detector and generator: whether the model attains a target is not for the test to
    // ask; that the job loads the three files, explains, and accounts for every category in need is.
    const fs::path dir = kRoot / "cf-world";
    fs::create_directories(dir);
    const testing::TinyExplainWorld world = testing::writeTinyExplainWorld(dir.string());
    torch::manual_seed(5);
    modeling::MaskRcnn model(modeling::load_model_config(world.config));
    counterfactual::CounterfactualGenerator generator(
        counterfactual::generator_shape_for(*model, counterfactual::GeneratorOptions{}));
    const std::string generatorPath = (dir / "generator.safetensors").string();
    counterfactual::save_generator(*generator, model->config(), generatorPath);

    AugmentationJobSpec spec;
    spec.method = QStringLiteral("counterfactual");
    spec.annotations = QString::fromStdString(world.annotations);
    spec.imageRoot = QString::fromStdString(world.images);
    spec.minImages = 2;  // grass is in 2 images, the three others in 1: three images to make
    spec.outputDir = qpath(kRoot / "cf-out");
    spec.modelConfig = QString::fromStdString(world.config);
    spec.weights = QString::fromStdString(world.weights);
    spec.generator = QString::fromStdString(generatorPath);
    spec.acceptScore = 0.0;
    spec.maxAttempts = 2;
    std::unique_ptr<JobRunner> runner(createAugmentationRunner(spec, nullptr));
    runner->start();
    QVERIFY(waitFinished(*runner));
    QVERIFY2(runner->state() == JobState::Succeeded, qPrintable(runner->errorMessage()));
    const QVariantMap& outputs = runner->outputs();
    const qint64 added = outputs.value(QStringLiteral("images_added")).toLongLong();
    const QStringList unreachable = outputs.value(QStringLiteral("unreachable")).toStringList();
    QCOMPARE(outputs.value(QStringLiteral("partial")).toBool(), !unreachable.isEmpty());
    const data::Dataset augmented =
        data::load_dataset(outputs.value(QStringLiteral("augmented_annotations")).toString().toStdString());
    QCOMPARE(static_cast<qint64>(augmented.images.size()), 3 + added);
    const auto counts = augmentation::images_per_category(augmented);
    for (std::size_t c = 0; c < augmented.categories.size(); ++c) {
      const QString name = QString::fromStdString(augmented.categories[c].name);
      QVERIFY2(counts[c] >= 2 || unreachable.contains(name), qPrintable(name));
    }
    const QString log = runner->log().join(QLatin1Char('\n'));
    QVERIFY2(log.contains(QStringLiteral("images (counterfactual)")), qPrintable(log));
    for (const QString& name : unreachable) QVERIFY(log.contains(QStringLiteral("warning: unreachable: ") + name));

    // A generator trained for another detector is refused with the core's message naming the file.
    modeling::ModelConfig other = model->config();
    other.num_classes = 7;
    counterfactual::save_generator(*generator, other, (dir / "foreign.safetensors").string());
    spec.generator = qpath(dir / "foreign.safetensors");
    spec.outputDir = qpath(kRoot / "cf-foreign");
    std::unique_ptr<JobRunner> foreign(createAugmentationRunner(spec, nullptr));
    foreign->start();
    QVERIFY(waitFinished(*foreign));
    QCOMPARE(foreign->state(), JobState::Failed);
    QVERIFY2(foreign->errorMessage().contains(QStringLiteral("foreign.safetensors")),
             qPrintable(foreign->errorMessage()));
  }

  void launchFormFollowsTheMethodAndRemembers() {
    JobLauncher launcher(nullptr);
    QWidget host;
    const QList<QPushButton*> buttons = launcher.buttons(&host);
    QCOMPARE(buttons.size(), 4);
    QCOMPARE(buttons.last()->text(), QStringLiteral("Augment…"));

    JobDefaults defaults;
    defaults.trainAnnotations = qpath(m_train);
    defaults.imageRoot = qpath(m_images);
    defaults.modelConfig = QStringLiteral("/models/model.json");
    defaults.weights = QStringLiteral("/models/model.safetensors");
    defaults.generator = QStringLiteral("/models/generator.safetensors");
    {
      JobLaunchDialog dialog(JobKind::Augmentation, defaults);
      auto* method = dialog.findChild<QComboBox*>(QStringLiteral("augmentMethod"));
      auto* generator = dialog.findChild<QWidget*>(QStringLiteral("augmentGenerator"));
      auto* strength = dialog.findChild<QDoubleSpinBox*>(QStringLiteral("augmentStrength"));
      auto* minImages = dialog.findChild<QSpinBox*>(QStringLiteral("augmentMinImages"));
      QVERIFY(method && generator && strength && minImages);
      method->setCurrentText(QStringLiteral("counterfactual"));
      QVERIFY(generator->isEnabled());
      QVERIFY(!strength->isEnabled());
      AugmentationJobSpec spec = dialog.augmentationSpec();
      QCOMPARE(spec.method, QStringLiteral("counterfactual"));
      QCOMPARE(spec.annotations, defaults.trainAnnotations);
      QCOMPARE(spec.imageRoot, defaults.imageRoot);
      QCOMPARE(spec.weights, defaults.weights);
      QCOMPARE(spec.generator, defaults.generator);

      method->setCurrentText(QStringLiteral("transforms"));
      QVERIFY(!generator->isEnabled());
      QVERIFY(strength->isEnabled());
      strength->setValue(0.3);
      minImages->setValue(7);
      spec = dialog.augmentationSpec();
      QCOMPARE(spec.method, QStringLiteral("transforms"));
      QVERIFY(spec.generator.isEmpty());  // the other method's fields do not reach the job
      QCOMPARE(spec.strength, 0.3);
      QCOMPARE(spec.minImages, 7);
      dialog.remember();
    }
    // A new form without defaults starts from the remembered options.
    JobLaunchDialog next(JobKind::Augmentation, JobDefaults{});
    const AugmentationJobSpec spec = next.augmentationSpec();
    QCOMPARE(spec.method, QStringLiteral("transforms"));
    QCOMPARE(spec.minImages, 7);
    QCOMPARE(spec.strength, 0.3);
    QCOMPARE(spec.annotations, qpath(m_train));
  }

  void windowOffersTheAugmentedDataset() {
    const QString annotations = qpath(kRoot / "straight" / "annotations" / "train.json");
    const QString images = qpath(kRoot / "straight" / "images");
    MainWindow window;
    auto* open = window.findChild<QAction*>(QStringLiteral("openAugmentedDataset"));
    QVERIFY(open != nullptr);
    QVERIFY(!open->isEnabled());
    QVariantMap outputs;
    outputs[QStringLiteral("augmented_annotations")] = annotations;
    outputs[QStringLiteral("augmented_images")] = images;
    outputs[QStringLiteral("images_added")] = 4;
    Q_EMIT window.jobsDock()->jobSucceeded(nullptr, outputs);
    QVERIFY(open->isEnabled());
    QSignalSpy ready(&window, &MainWindow::datasetReady);
    open->trigger();
    QVERIFY(ready.wait(30000));
    QCOMPARE(window.document()->source().annotationPath, annotations);
    QCOMPARE(window.document()->source().imageRoot, images);
  }
};

QTEST_MAIN(TestAugmentationJob)
#include "test_augmentation_job.moc"
