// Picking an instance by clicking its centroid: on the real LVIS image 196141 (13 annotations, some
// nested), a click at the centroid of each annotation picks the smallest instance whose mask holds that
// pixel; with a results file open, a click on a prediction picks it and the instance panel shows its
// category, frequency group, score, IoU with its match and TIDE error type.

#include <QSignalSpy>
#include <QtTest>

#include "core/data/mask/mask_api.h"
#include "core/data/lvis/results_io.h"
#include "tests/test_paths.h"
#include "ui/dataset_document.h"
#include "ui/image_canvas.h"
#include "ui/instance_panel.h"
#include "ui/main_window.h"
#include "ui/model_panel.h"
#include "ui/model_registry.h"
#include "ui/prediction_item.h"
#include "ui/prediction_overlay.h"

using namespace counterscope;
using namespace counterscope::ui;

namespace {

const QString annotationPath = QStringLiteral(COUNTERSCOPE_REFS_DIR "/lvis/lvis_v0.5_val_100.json");
const QString imageRoot = QStringLiteral(COUNTERSCOPE_REFS_DIR "/lvis/images");
const QString scratch = QStringLiteral(COUNTERSCOPE_TEST_TMP_DIR "/test_pick_instance");
constexpr qint64 imageId = 196141;

struct DecodedMask {
  std::int64_t annotationId = 0;
  double area = 0;
  std::vector<std::uint8_t> pixels;  // row-major
  int width = 0;
};

/// The pixel of the mask nearest to its centroid (the centroid itself may fall outside a concave mask).
QPoint centroidPixel(const DecodedMask& mask) {
  double sx = 0, sy = 0, n = 0;
  const int height = static_cast<int>(mask.pixels.size()) / mask.width;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < mask.width; ++x)
      if (mask.pixels[static_cast<std::size_t>(y) * mask.width + x]) sx += x, sy += y, n += 1;
  const QPointF centroid(sx / n, sy / n);
  QPoint best;
  double bestDistance = 1e300;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < mask.width; ++x) {
      if (!mask.pixels[static_cast<std::size_t>(y) * mask.width + x]) continue;
      const double d = (x - centroid.x()) * (x - centroid.x()) + (y - centroid.y()) * (y - centroid.y());
      if (d < bestDistance) bestDistance = d, best = QPoint(x, y);
    }
  }
  return best;
}

void clickImagePixel(ImageCanvas* canvas, const QPoint& pixel) {
  const QPoint viewPoint = canvas->mapFromScene(QPointF(pixel) + QPointF(0.5, 0.5));
  QTest::mouseClick(canvas->viewport(), Qt::LeftButton, Qt::NoModifier, viewPoint);
}

}  // namespace

class TestPickInstance : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QDir(scratch).removeRecursively();
    QVERIFY(QDir().mkpath(scratch));
  }

  void clickAtCentroidPicksTheInstance() {
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QSignalSpy shown(&window, &MainWindow::imageShown);
    window.showImageOnLoad(imageId);
    window.openDataset({annotationPath, imageRoot});
    QVERIFY(shown.wait(60000));
    QCOMPARE(window.canvas()->currentScene()->imageId, imageId);
    const auto dataset = window.document()->dataset();
    const auto imageIndex = *dataset->image_index(imageId);
    const auto& annotationIndexes = dataset->annotations_of_image(imageIndex);
    QCOMPARE(annotationIndexes.size(), std::size_t{13});

    std::vector<DecodedMask> masks;
    for (const std::uint32_t index : annotationIndexes) {
      const data::Annotation& annotation = dataset->annotations[index];
      const data::Rle rle = dataset->mask_of(annotation);
      masks.push_back({annotation.id, static_cast<double>(data::rle_area(rle)), data::rle_decode_row_major(rle),
                       static_cast<int>(rle.width)});
    }
    window.canvas()->fitToWindow();
    QApplication::processEvents();
    int checked = 0;
    for (const DecodedMask& mask : masks) {
      const QPoint pixel = centroidPixel(mask);
      // Expected: the smallest annotation (by mask area) whose mask holds the pixel.
      const DecodedMask* expected = nullptr;
      for (const DecodedMask& other : masks) {
        if (!other.pixels[static_cast<std::size_t>(pixel.y()) * other.width + pixel.x()]) continue;
        if (expected == nullptr || other.area < expected->area) expected = &other;
      }
      QVERIFY(expected != nullptr);
      QSignalSpy clicked(window.canvas(), &ImageCanvas::annotationClicked);
      clickImagePixel(window.canvas(), pixel);
      QCOMPARE(clicked.count(), 1);
      QCOMPARE(clicked.first().at(0).toLongLong(), expected->annotationId);
      QCOMPARE(window.canvas()->highlightedAnnotation().value_or(-1), expected->annotationId);
      QVERIFY(window.instancePanel()->picked());
      QCOMPARE(window.instancePanel()->picked()->annotationId, expected->annotationId);
      QCOMPARE(window.instancePanel()->explainableAnnotation().value_or(-1), expected->annotationId);
      checked += expected->annotationId == mask.annotationId ? 1 : 0;
    }
    QVERIFY(checked >= 8);  // most centroids are on their own instance; nested ones pick the inner one

    // Empty space (the top-left pixel lies on no mask) picks nothing.
    bool onMask = false;
    for (const DecodedMask& mask : masks) onMask = onMask || mask.pixels[0] != 0;
    if (!onMask) {
      QSignalSpy clicked(window.canvas(), &ImageCanvas::annotationClicked);
      clickImagePixel(window.canvas(), QPoint(0, 0));
      QCOMPARE(clicked.first().at(0).toLongLong(), qint64{-1});
      QVERIFY(!window.instancePanel()->picked());
    }
  }

  void clickOnAPredictionShowsItsErrorType() {
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QSignalSpy shown(&window, &MainWindow::imageShown);
    window.showImageOnLoad(imageId);
    window.openDataset({annotationPath, imageRoot});
    QVERIFY(shown.wait(60000));
    const auto dataset = window.document()->dataset();
    const auto imageIndex = *dataset->image_index(imageId);
    // The smallest annotation, predicted as a category the image lists as absent: a classification error.
    const data::Annotation* smallest = nullptr;
    for (const std::uint32_t index : dataset->annotations_of_image(imageIndex)) {
      const data::Annotation& a = dataset->annotations[index];
      if (smallest == nullptr || a.area < smallest->area) smallest = &a;
    }
    const std::int64_t wrongCategory = dataset->images[imageIndex].neg_category_ids.front();
    data::Detection detection;
    detection.image_id = imageId;
    detection.category_id = wrongCategory;
    detection.bbox = smallest->bbox;
    detection.has_bbox = true;
    detection.score = 0.75;
    detection.segmentation = dataset->mask_of(*smallest);
    const std::string path = (scratch + QStringLiteral("/one_detection.json")).toStdString();
    data::write_results({detection}, path);

    QSignalSpy evaluated(window.models(), &ModelRegistry::evaluationReady);
    QSignalSpy predictions(window.predictionOverlay(), &PredictionOverlay::predictionsShown);
    window.models()->addResultsFile(QString::fromStdString(path));
    QVERIFY(evaluated.wait(60000));
    QTRY_VERIFY_WITH_TIMEOUT(window.predictionOverlay()->isSettled() && window.predictionOverlay()->items().size() == 1 &&
                                 window.predictionOverlay()->items().first()->graphic().label.has_value(),
                             20000);
    QCOMPARE(window.modelPanel()->currentModel(), 0);
    PredictionItem* item = window.predictionOverlay()->items().first();
    QCOMPARE(item->graphic().label.value(), evaluation::DetectionLabel::classification);
    QVERIFY(item->isVisible());

    // Prediction and ground truth cover the same pixels: the top-most (the prediction) wins the tie.
    DecodedMask mask{smallest->id, smallest->area, data::rle_decode_row_major(detection.segmentation),
                     static_cast<int>(detection.segmentation.width)};
    QSignalSpy picked(window.canvas(), &ImageCanvas::predictionClicked);
    window.canvas()->fitToWindow();
    clickImagePixel(window.canvas(), centroidPixel(mask));
    QCOMPARE(picked.count(), 1);
    QCOMPARE(picked.first().at(0).toInt(), 0);
    QCOMPARE(picked.first().at(1).toLongLong(), qint64{0});
    InstancePanel* panel = window.instancePanel();
    QVERIFY(panel->picked() && panel->picked()->kind == PickedInstance::Kind::prediction);
    const auto category = *dataset->category_index(wrongCategory);
    QVERIFY2(panel->field(QStringLiteral("category")).contains(QString::fromStdString(dataset->categories[category].name)),
             qPrintable(panel->field(QStringLiteral("category"))));
    QVERIFY(!panel->field(QStringLiteral("frequency")).isEmpty());
    QCOMPARE(panel->field(QStringLiteral("score")), QStringLiteral("0.750"));
    QVERIFY2(panel->field(QStringLiteral("error")).contains(QStringLiteral("classification")),
             qPrintable(panel->field(QStringLiteral("error"))));
    QVERIFY2(panel->field(QStringLiteral("iou")).startsWith(QStringLiteral("1.000")),
             qPrintable(panel->field(QStringLiteral("iou"))));
    // Explaining a prediction means explaining the ground truth it refers to.
    QCOMPARE(panel->explainableAnnotation().value_or(-1), smallest->id);

    // Above the threshold only: a threshold over its score hides it, and it can no longer be picked.
    window.modelPanel()->setScoreThreshold(0.8);
    QVERIFY(!item->isVisible());
    QSignalSpy gt(window.canvas(), &ImageCanvas::annotationClicked);
    clickImagePixel(window.canvas(), centroidPixel(mask));
    QCOMPARE(gt.count(), 1);
    QCOMPARE(gt.first().at(0).toLongLong(), smallest->id);
    QVERIFY2(panel->field(QStringLiteral("error")).contains(QStringLiteral("mistaken")),
             qPrintable(panel->field(QStringLiteral("error"))));
  }
};

QTEST_MAIN(TestPickInstance)
#include "test_pick_instance.moc"
