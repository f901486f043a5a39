#pragma once
// Turns an explanation's OpenCV matrices into the images the explain panel shows: the original and X̃,
// the signed counterfactual map as a diverging heatmap, predictions drawn on an image, and the instance's
// segmentation diff (pixels gained / lost). Pure functions, safe in worker threads.

#include <functional>
#include <vector>

#include <QImage>
#include <QString>
#include <QWidget>

#include <opencv2/core/mat.hpp>

#include "core/counterfactual/explanation.h"

namespace counterscope::ui {

/// CV_8UC3 RGB, or CV_32FC3 RGB in [0, 1], to a QImage (deep copy).
QImage rgbMatToImage(const cv::Mat& rgb);

/// The signed map M (CV_32FC3, X̃ − X) summed over channels, as a diverging heatmap: blue < 0 (removed),
/// dark at 0, red > 0 (added), saturated at ±`scale`. `scale` <= 0: the 99th percentile of |M|, written back.
QImage signedHeatmap(const cv::Mat& map, double* scale);
/// Colour of a heatmap value in [-1, 1].
QColor divergingColor(double value);

/// Predictions on X~ are drawn from this score up (an untrained or low-threshold model returns dozens of weak
/// boxes): the explain panel and Compare show the ones a user would look at.
constexpr double kShownPredictionScore = 0.3;
/// The predictions scoring at least `minimumScore`.
std::vector<counterfactual::PredictedInstance> predictionsFrom(
    const std::vector<counterfactual::PredictedInstance>& predictions, double minimumScore);

/// `base` with the predictions' masks and boxes drawn, each labelled "name score"; the instance at
/// `highlight` (index, or -1) in white.
QImage drawPredictions(const QImage& base, const std::vector<counterfactual::PredictedInstance>& predictions,
                       const std::function<QString(std::int64_t label)>& nameOf, int highlight = -1);

/// `base` dimmed, with the pixels of the instance's mask kept (grey), gained (green) and lost (red).
QImage drawSegmentationDiff(const QImage& base, const cv::Mat& before, const cv::Mat& after);

/// The colour bar of signedHeatmap with "−scale", "0", "+scale".
class HeatmapLegend : public QWidget {
  Q_OBJECT

 public:
  explicit HeatmapLegend(QWidget* parent = nullptr);
  void setScale(double scale);
  QSize sizeHint() const override { return QSize(160, 30); }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  double m_scale = 0;
};

/// The instance's top classes before and after as paired horizontal bars (grey before, accent after).
class ScoreBars : public QWidget {
  Q_OBJECT

 public:
  struct Row {
    QString name;
    double before = 0;
    double after = 0;
    bool isTarget = false;
    bool isSource = false;
  };
  explicit ScoreBars(QWidget* parent = nullptr);
  void setRows(std::vector<Row> rows);
  const std::vector<Row>& rows() const { return m_rows; }
  QSize sizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  std::vector<Row> m_rows;
};

}  // namespace counterscope::ui
