#pragma once
// Drives --screenshot: waits until the dataset has loaded and the requested (or first) image is drawn
// with its visible thumbnails, grabs the window with QWidget::grab() and reports an exit code.

#include <optional>

#include <QObject>
#include <QString>

class QTimer;
class QWidget;

namespace counterscope::ui {

class MainWindow;

class ScreenshotSession : public QObject {
  Q_OBJECT

 public:
  /// `imageId`: the image that must be on the canvas (none: whichever the window shows first).
  ScreenshotSession(MainWindow* window, QString outputPath, std::optional<qint64> imageId,
                    QObject* parent = nullptr);

  /// Starts watching the window; call before the dataset is opened.
  void start();
  /// Also pick annotation `annotationId` of the image and, with a `target`, explain it as that class with
  /// the current model (optimiser with `optimizeSteps` > 0, the ground-truth twin with `twin`, else its
  /// generator) before capturing.
  void setExplanation(std::optional<qint64> annotationId, const QString& target, int optimizeSteps,
                      bool twin = false);
  /// After the explanation, open Compare with two models, explain the same instance with both and capture
  /// the Compare window instead of the main one.
  void setCompare(bool compare) { m_compare = compare; }

 Q_SIGNALS:
  /// exitCode 0: the PNG was written (message says where); otherwise message says what failed.
  void finished(int exitCode, const QString& message);

 private:
  void onImageShown(qint64 imageId);
  void captureWhenThumbnailsSettle();
  void capture();
  void finish(int exitCode, const QString& message);
  void pickAndExplain();
  void compareThenCapture();
  void tryExplain();
  bool predictionsPending() const;

  MainWindow* m_window;
  QString m_outputPath;
  std::optional<qint64> m_imageId;
  QTimer* m_settleTimer;
  int m_settleRounds = 0;
  bool m_done = false;
  std::optional<qint64> m_annotationId;
  QString m_target;
  int m_optimizeSteps = 0;
  bool m_twin = false;  ///< explain with the ground-truth twin
  bool m_explainStarted = false;
  bool m_explained = false;     ///< the explanation ended (shown, or failed with m_explainError)
  QString m_explainError;
  bool m_compare = false;
  QWidget* m_compareWindow = nullptr;  ///< set once both sides are explained: captured instead of the window
};

}  // namespace counterscope::ui
