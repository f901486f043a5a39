#pragma once
// The main window's status bar: load progress while a dataset loads, then the dataset's figures, the
// model state, the current image and the zoom.

#include <QStatusBar>

#include "ui/stats_summary.h"

class QLabel;
class QProgressBar;

namespace counterscope::ui {

struct ImageScene;

class AppStatusBar : public QStatusBar {
  Q_OBJECT

 public:
  explicit AppStatusBar(QWidget* parent = nullptr);

  void showLoading(const QString& annotationPath);
  void showProgress(const QString& stage, qint64 done, qint64 total);
  void showStats(const data::DatasetStats& stats);
  void showFailure(const QString& message);
  void clearDataset();
  /// What the window knows about models (none can be loaded yet; said plainly rather than faked).
  void setModelNote(const QString& note, const QString& details);
  void setImage(const ImageScene* scene);
  void setZoom(double factor);

  QString statsText() const;
  QString modelText() const;
  bool isShowingProgress() const;

 private:
  QLabel* m_stats;
  QLabel* m_model;
  QLabel* m_image;
  QLabel* m_zoom;
  QProgressBar* m_progress;
};

}  // namespace counterscope::ui
