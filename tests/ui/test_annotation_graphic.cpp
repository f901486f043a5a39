// Turning annotations into drawables: the tinted mask (fill, outline, crop), the mask built through the
// COCO mask API (same pixel count as rle_area), labels, and the canvas item's layers and hit test.

#include <QtTest>

#include "core/data/mask/mask_api.h"
#include "tests/ui/tiny_dataset.h"
#include "ui/annotation_graphic.h"
#include "ui/annotation_item.h"
#include "ui/annotation_painter.h"
#include "ui/category_colors.h"

using namespace counterscope;
using namespace counterscope::ui;

class TestAnnotationGraphic : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void tintsFillAndOutlineAndCrops() {
    // 6×5 image, a 3×3 square at (2,1): its centre pixel is fill, the other 8 are outline.
    std::vector<std::uint8_t> mask(6 * 5, 0);
    for (int y = 1; y <= 3; ++y)
      for (int x = 2; x <= 4; ++x) mask[static_cast<std::size_t>(y * 6 + x)] = 1;
    QPoint origin;
    const QColor color(200, 100, 50);
    const QImage tinted = tintMask(mask.data(), 6, 5, color, &origin);
    QCOMPARE(tinted.size(), QSize(3, 3));
    QCOMPARE(origin, QPoint(2, 1));
    QCOMPARE(qAlpha(tinted.pixel(1, 1)), maskFillAlpha);
    QCOMPARE(qAlpha(tinted.pixel(0, 0)), 255);
    QCOMPARE(qAlpha(tinted.pixel(2, 1)), 255);
    QCOMPARE(QColor(tinted.pixel(0, 0)), color);
  }

  void maskTouchingTheImageEdgeIsOutlinedThere() {
    std::vector<std::uint8_t> mask(4 * 4, 1);  // the whole image
    QPoint origin;
    const QImage tinted = tintMask(mask.data(), 4, 4, Qt::red, &origin);
    QCOMPARE(tinted.size(), QSize(4, 4));
    QCOMPARE(qAlpha(tinted.pixel(0, 2)), 255);  // left edge of the image
    QCOMPARE(qAlpha(tinted.pixel(1, 1)), maskFillAlpha);
  }

  void emptyMaskGivesNullImage() {
    std::vector<std::uint8_t> mask(9, 0);
    QVERIFY(tintMask(mask.data(), 3, 3, Qt::red, nullptr).isNull());
    QVERIFY(tintMask(nullptr, 0, 0, Qt::red, nullptr).isNull());
  }

  void buildsTheGraphicOfAnAnnotation() {
    const data::Dataset dataset = testing::makeTinyDataset();
    const std::size_t index = 3;  // annotation 104: newt (rare) on image 20, box 10,10 12×6
    const AnnotationGraphic graphic = buildAnnotationGraphic(dataset, index);
    QCOMPARE(graphic.annotationId, qint64{104});
    QCOMPARE(graphic.categoryName, QStringLiteral("newt"));
    QCOMPARE(graphic.frequency, data::Frequency::rare);
    QCOMPARE(graphic.box, QRectF(10, 10, 12, 6));
    QCOMPARE(graphic.color, categoryColor(2));
    QVERIFY(!graphic.mask.isNull());
    QVERIFY(graphic.maskError.isEmpty());
    // Every foreground pixel of the COCO mask is drawn, nothing else.
    const data::Rle rle = dataset.mask_of(dataset.annotations[index]);
    int drawn = 0;
    for (int y = 0; y < graphic.mask.height(); ++y)
      for (int x = 0; x < graphic.mask.width(); ++x) drawn += qAlpha(graphic.mask.pixel(x, y)) > 0 ? 1 : 0;
    QCOMPARE(static_cast<std::uint64_t>(drawn), data::rle_area(rle));
    const data::BoxXywh maskBox = data::rle_to_box(rle);
    QCOMPARE(graphic.maskOrigin, QPoint(static_cast<int>(maskBox.x), static_cast<int>(maskBox.y)));
  }

  void labelsCarryNameAndCrowd() {
    AnnotationGraphic graphic;
    graphic.categoryName = QStringLiteral("person");
    QCOMPARE(AnnotationPainter::labelText(graphic), QStringLiteral("person"));
    graphic.isCrowd = true;
    QCOMPARE(AnnotationPainter::labelText(graphic), QStringLiteral("person (crowd)"));
    const QSizeF size = AnnotationPainter::labelSize(graphic, AnnotationPainter::labelFont());
    QVERIFY(size.width() > size.height());
    QVERIFY(size.height() > 10);
  }

  void frequencyGroupsHaveDistinctColours() {
    QVERIFY(frequencyColor(data::Frequency::rare) != frequencyColor(data::Frequency::common));
    QVERIFY(frequencyColor(data::Frequency::common) != frequencyColor(data::Frequency::frequent));
    QCOMPARE(categoryColor(7), categoryColor(7));
    QVERIFY(categoryColor(7) != categoryColor(8));
  }

  void itemHonoursLayersAndHitsTheMask() {
    const data::Dataset dataset = testing::makeTinyDataset();
    AnnotationItem item(buildAnnotationGraphic(dataset, 4));  // owl, box 5,5 30×30
    QVERIFY(item.boundingRect().contains(QRectF(5, 5, 30, 30)));
    QVERIFY(item.hitsAnnotation(QPointF(20, 20)));
    QVERIFY(!item.hitsAnnotation(QPointF(1, 1)));
    QCOMPARE(item.childItems().size(), 1);  // the label
    CanvasLayers layers;
    layers.labels = false;
    item.setLayers(layers);
    QVERIFY(!item.childItems().first()->isVisible());
    item.setHighlighted(true);  // a highlighted annotation always shows its label
    QVERIFY(item.childItems().first()->isVisible());
  }
};

QTEST_MAIN(TestAnnotationGraphic)
#include "test_annotation_graphic.moc"
