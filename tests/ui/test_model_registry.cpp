// ModelRegistry with results files and no detector: a results file of the evaluation references opens,
// is evaluated in the background exactly as lvis-api scores it, and every evaluated detection gets its
// TIDE type; a hand-written file in detectron2's form opens; bad files are reported without stopping
// the application (the registry goes on opening other models).

#include <algorithm>
#include <set>

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QtTest>

#include "core/data/lvis/lvis_loader.h"
#include "core/data/mask/mask_api.h"
#include "tests/test_paths.h"
#include "ui/model_registry.h"

using namespace counterscope;
using namespace counterscope::ui;

namespace {

const QString refs = QStringLiteral(COUNTERSCOPE_REFS_DIR);
const QString scratch = QStringLiteral(COUNTERSCOPE_TEST_TMP_DIR "/test_model_registry");

std::shared_ptr<const data::Dataset> refsDataset() {
  static const auto dataset = std::make_shared<const data::Dataset>(
      data::load_dataset((refs + QStringLiteral("/lvis/lvis_v0.5_val_100.json")).toStdString()));
  return dataset;
}

void writeText(const QString& path, const QByteArray& text) {
  QFile file(path);
  QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
  file.write(text);
}

/// Waits until the model leaves the loading / evaluating states.
bool waitIdle(ModelRegistry& registry, int index, int timeoutMs = 60000) {
  QElapsedTimer timer;
  timer.start();
  while (timer.elapsed() < timeoutMs) {
    const auto state = registry.entry(index).state;
    if (state == ModelEntry::State::failed) return true;
    if (state == ModelEntry::State::ready && !registry.isBusy()) return true;
    QTest::qWait(20);
  }
  return false;
}

}  // namespace

class TestModelRegistry : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    QDir(scratch).removeRecursively();
    QVERIFY(QDir().mkpath(scratch));
  }

  void resultsFileWithoutModelIsEvaluatedLikeLvisApi() {
    ModelRegistry registry;
    registry.setDataset(refsDataset(), refs + QStringLiteral("/lvis/images"));
    QSignalSpy added(&registry, &ModelRegistry::modelAdded);
    QSignalSpy evaluated(&registry, &ModelRegistry::evaluationReady);
    QSignalSpy errors(&registry, &ModelRegistry::errorOccurred);
    const int index = registry.addResultsFile(refs + QStringLiteral("/lvis/eval/dets_1.json"));
    QCOMPARE(index, 0);
    QCOMPARE(added.count(), 1);
    QCOMPARE(registry.entry(index).displayName, QStringLiteral("dets_1"));
    QVERIFY(registry.entry(index).isResults());
    QVERIFY(evaluated.wait(60000));
    QCOMPARE(errors.count(), 0);

    const ModelEntry& entry = registry.entry(index);
    QCOMPARE(entry.state, ModelEntry::State::ready);
    QCOMPARE(entry.detections->all.size(), std::size_t{1921});
    QVERIFY(entry.detections->hasMasks);
    QVERIFY(entry.evaluation);
    QFile expectedFile(refs + QStringLiteral("/lvis/eval/expected_1.json"));
    QVERIFY(expectedFile.open(QIODevice::ReadOnly));
    const QJsonObject expected = QJsonDocument::fromJson(expectedFile.readAll()).object();
    const double boxAp = expected[QStringLiteral("bbox")].toObject()[QStringLiteral("AP")].toDouble();
    const double maskAp = expected[QStringLiteral("segm")].toObject()[QStringLiteral("AP")].toDouble();
    QVERIFY(qAbs(entry.evaluation->box.metrics.ap - boxAp) < 1e-9);
    QVERIFY(entry.evaluation->hasMask);
    QVERIFY(qAbs(entry.evaluation->mask.metrics.ap - maskAp) < 1e-9);

    // Every evaluated detection and ground truth can be looked up from its index.
    const auto& errors_ = entry.evaluation->errors();
    QVERIFY(!errors_.detections.empty());
    std::size_t found = 0;
    for (std::size_t i = 0; i < entry.detections->all.size(); ++i) {
      if (const auto* outcome = entry.evaluation->detectionOutcome(i)) {
        QCOMPARE(outcome->detection, static_cast<std::uint32_t>(i));
        QCOMPARE(outcome->image_id, entry.detections->all[i].image_id);
        ++found;
      }
    }
    QCOMPARE(found, errors_.detections.size());
    // The perturbed results hold true positives and errors of several kinds.
    std::set<evaluation::DetectionLabel> kinds;
    for (const auto& outcome : errors_.detections) kinds.insert(outcome.label);
    QVERIFY(kinds.count(evaluation::DetectionLabel::true_positive) == 1);
    QVERIFY(kinds.size() >= 4);
    // Detections grouped by image.
    const auto& first = entry.detections->all.front();
    const auto& ofImage = entry.detections->ofImage(first.image_id);
    QVERIFY(std::find(ofImage.begin(), ofImage.end(), 0u) != ofImage.end());
    QVERIFY(entry.detections->ofImage(-5).empty());
  }

  void detectron2StyleFileOpens() {
    // detectron2's LVISEvaluator writes a list of {image_id, category_id, bbox, score, segmentation} with
    // the RLE counts as a string. One detection exactly on annotation 0 (a true positive), one of another
    // category at the same place.
    const auto dataset = refsDataset();
    const data::Annotation& truth = dataset->annotations.front();
    const data::Rle mask = dataset->mask_of(truth);
    QString counts = QString::fromStdString(data::rle_to_string(mask));
    counts.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));  // a JSON string: escape backslashes
    std::int64_t otherCategory = 0;
    const auto imageIndex = *dataset->image_index(truth.image_id);
    for (const auto& neg : dataset->images[imageIndex].neg_category_ids) otherCategory = neg;
    QVERIFY(otherCategory != 0);
    const QString entry = QStringLiteral(
        "{\"image_id\": %1, \"category_id\": %2, \"bbox\": [%3, %4, %5, %6], \"score\": %7, "
        "\"segmentation\": {\"size\": [%8, %9], \"counts\": \"%10\"}}");
    auto line = [&](std::int64_t category, double score) {
      return entry.arg(truth.image_id)
          .arg(category)
          .arg(truth.bbox.x)
          .arg(truth.bbox.y)
          .arg(truth.bbox.w)
          .arg(truth.bbox.h)
          .arg(score)
          .arg(mask.height)
          .arg(mask.width)
          .arg(counts);
    };
    const QString path = scratch + QStringLiteral("/detectron2_lvis_results.json");
    writeText(path, (QStringLiteral("[") + line(truth.category_id, 0.9) + QStringLiteral(",\n") +
                     line(otherCategory, 0.8) + QStringLiteral("]"))
                        .toUtf8());

    ModelRegistry registry;
    registry.setDataset(dataset, refs + QStringLiteral("/lvis/images"));
    QSignalSpy evaluated(&registry, &ModelRegistry::evaluationReady);
    const int index = registry.addResultsFile(path, QStringLiteral("detectron2"));
    QVERIFY(evaluated.wait(60000));
    const ModelEntry& model = registry.entry(index);
    QCOMPARE(model.displayName, QStringLiteral("detectron2"));
    QCOMPARE(model.detections->all.size(), std::size_t{2});
    QCOMPARE(model.detections->ofImage(truth.image_id).size(), std::size_t{2});
    QCOMPARE(data::rle_area(model.detections->all[0].segmentation), data::rle_area(mask));
    const auto* tp = model.evaluation->detectionOutcome(0);
    QVERIFY(tp != nullptr);
    QCOMPARE(tp->label, evaluation::DetectionLabel::true_positive);
    QVERIFY(tp->iou > 0.99);
    const auto* other = model.evaluation->detectionOutcome(1);
    QVERIFY(other != nullptr);
    QCOMPARE(other->label, evaluation::DetectionLabel::classification);
    // The ground truth it lies on is matched; the registry names it through the dataset index.
    const auto* truthOutcome = model.evaluation->truthOutcome(0);
    QVERIFY(truthOutcome != nullptr);
    QCOMPARE(truthOutcome->label, evaluation::TruthLabel::matched);
  }

  void badResultsFilesAreReportedAndTheRegistryCarriesOn() {
    ModelRegistry registry;
    registry.setDataset(refsDataset(), refs + QStringLiteral("/lvis/images"));
    QSignalSpy errors(&registry, &ModelRegistry::errorOccurred);
    const QString notAList = scratch + QStringLiteral("/not_a_list.json");
    writeText(notAList, "{\"image_id\": 1}");
    const QString nanScore = scratch + QStringLiteral("/nan_score.json");
    writeText(nanScore, "[{\"image_id\": 196141, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": NaN}]");
    const QString unknownImage = scratch + QStringLiteral("/unknown_image.json");
    writeText(unknownImage, "[{\"image_id\": 7, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}]");

    const int bad1 = registry.addResultsFile(notAList);
    const int bad2 = registry.addResultsFile(nanScore);
    const int missing = registry.addResultsFile(scratch + QStringLiteral("/no_such_file.json"));
    const int unknown = registry.addResultsFile(unknownImage);
    for (int index : {bad1, bad2, missing, unknown}) QVERIFY(waitIdle(registry, index));
    for (int index : {bad1, bad2, missing}) {
      QCOMPARE(registry.entry(index).state, ModelEntry::State::failed);
      QVERIFY(!registry.entry(index).error.isEmpty());
    }
    QVERIFY(registry.entry(missing).error.contains(QStringLiteral("no_such_file.json")));
    // A well-formed file naming an image the dataset lacks loads, but its evaluation fails and says why.
    QCOMPARE(registry.entry(unknown).state, ModelEntry::State::ready);
    QVERIFY(!registry.entry(unknown).evaluation);
    QVERIFY2(registry.entry(unknown).error.contains(QStringLiteral("7")), qPrintable(registry.entry(unknown).error));
    QCOMPARE(errors.count(), 4);

    // The registry still opens good files afterwards.
    QSignalSpy evaluated(&registry, &ModelRegistry::evaluationReady);
    const int good = registry.addResultsFile(refs + QStringLiteral("/lvis/eval/dets_2.json"));
    QVERIFY(evaluated.wait(60000));
    QCOMPARE(evaluated.first().at(0).toInt(), good);
    QVERIFY(registry.entry(good).evaluation);
    QCOMPARE(registry.count(), 5);
  }

  void trainingOutputNeedsItsFiles() {
    ModelRegistry registry;
    QSignalSpy errors(&registry, &ModelRegistry::errorOccurred);
    QCOMPARE(registry.addTrainingOutput(scratch), -1);
    QCOMPARE(errors.count(), 1);
    QVERIFY(errors.first().at(0).toString().contains(QStringLiteral("model.json")));
    QCOMPARE(registry.count(), 0);
  }

  void weightsOfAnotherFormatFailToLoad() {
    ModelRegistry registry;
    QSignalSpy errors(&registry, &ModelRegistry::errorOccurred);
    const QString notWeights = scratch + QStringLiteral("/not_weights.safetensors");
    writeText(notWeights, "this is not a safetensors file");
    const int index = registry.addWeights(QStringLiteral("tiny"), notWeights);
    QVERIFY(waitIdle(registry, index));
    QCOMPARE(registry.entry(index).state, ModelEntry::State::failed);
    QCOMPARE(errors.count(), 1);
    QVERIFY(registry.entry(index).error.contains(QStringLiteral("not_weights.safetensors")));
  }
};

QTEST_MAIN(TestModelRegistry)
#include "test_model_registry.moc"
