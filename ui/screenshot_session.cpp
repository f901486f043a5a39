#include "ui/screenshot_session.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QPixmap>
#include <QTimer>

#include "ui/compare_view.h"
#include "ui/explain_controller.h"
#include "ui/explain_panel.h"
#include "ui/image_browser.h"
#include "ui/image_list_model.h"
#include "ui/main_window.h"
#include "ui/model_panel.h"
#include "ui/model_registry.h"
#include "ui/prediction_overlay.h"
#include "ui/thumbnail_cache.h"

namespace counterscope::ui {

namespace {

// Thumbnails of the visible rows are decoded after the canvas is drawn; give them up to this many
// polling rounds (of settleIntervalMs) to arrive, so the screenshot shows the list as a user would see it.
constexpr int maximumSettleRounds = 100;
constexpr int settleIntervalMs = 50;
// Models load and predict the shown image in the background: wait up to this many rounds for them.
constexpr int maximumModelRounds = 2400;

}  // namespace

ScreenshotSession::ScreenshotSession(MainWindow* window, QString outputPath, std::optional<qint64> imageId,
                                     QObject* parent)
    : QObject(parent),
      m_window(window),
      m_outputPath(std::move(outputPath)),
      m_imageId(imageId),
      m_settleTimer(new QTimer(this)) {
  m_settleTimer->setInterval(settleIntervalMs);
  connect(m_settleTimer, &QTimer::timeout, this, &ScreenshotSession::captureWhenThumbnailsSettle);
}

void ScreenshotSession::start() {
  connect(m_window, &MainWindow::datasetFailed, this,
          [this](const QString& message) { finish(1, QStringLiteral("cannot open the dataset: %1").arg(message)); });
  connect(m_window, &MainWindow::imageShown, this, &ScreenshotSession::onImageShown);
  connect(m_window, &MainWindow::datasetReady, this, [this] {
    if (m_imageId && !m_window->showImageId(*m_imageId)) {
      finish(1, QStringLiteral("--image-id = %1: no image with this id in the dataset").arg(*m_imageId));
    } else if (m_window->browser()->model()->rowCount() == 0) {
      finish(1, QStringLiteral("the dataset has no images to show"));
    }
  });
  m_window->showImageOnLoad(m_imageId);
}

void ScreenshotSession::setExplanation(std::optional<qint64> annotationId, const QString& target,
                                       int optimizeSteps, bool twin) {
  m_annotationId = annotationId;
  m_target = target;
  m_optimizeSteps = optimizeSteps;
  m_twin = twin;
}

void ScreenshotSession::onImageShown(qint64 imageId) {
  if (m_done || (m_imageId && imageId != *m_imageId)) return;
  if (m_annotationId && !m_explained) {
    pickAndExplain();
    return;
  }
  m_settleRounds = 0;
  m_settleTimer->start();
}

void ScreenshotSession::pickAndExplain() {
  if (m_explainStarted) return;
  if (!m_window->pickAnnotation(*m_annotationId)) {
    finish(1, QStringLiteral("--ann-id = %1: no such annotation on the image shown").arg(*m_annotationId));
    return;
  }
  if (m_target.isEmpty()) {
    m_explained = true;
    m_settleRounds = 0;
    m_settleTimer->start();
    return;
  }
  ExplainPanel* panel = m_window->explainPanel();
  if (!panel->setTarget(m_target)) {
    finish(1, QStringLiteral("--target = '%1': no category of this name, synonym or id").arg(m_target));
    return;
  }
  m_explainStarted = true;
  connect(panel, &ExplainPanel::explanationFinished, this, [this](bool ok, const QString& message) {
    m_explained = true;
    if (!ok) m_explainError = message;
    m_settleRounds = 0;
    m_settleTimer->start();
  });
  // The model may still be loading: try again whenever it changes.
  connect(m_window->models(), &ModelRegistry::modelChanged, this, &ScreenshotSession::tryExplain);
  tryExplain();
}

void ScreenshotSession::tryExplain() {
  if (m_done || m_explained || m_window->explainController()->isBusy()) return;
  ExplainPanel* panel = m_window->explainPanel();
  const int model = m_window->modelPanel()->currentModel();
  if (model < 0) {
    finish(1, QStringLiteral("--target needs a model to explain with (--model/--weights or --demo models)"));
    return;
  }
  if (m_window->models()->entry(model).state == ModelEntry::State::loading) return;
  if (m_twin) {
    panel->setMethod(counterfactual::ExplainMethod::twin);
  } else {
    panel->setOptimize(m_optimizeSteps > 0 || !m_window->models()->entry(model).hasGenerator(),
                       m_optimizeSteps > 0 ? m_optimizeSteps : 40);
  }
  const QString blocked = panel->blockedReason();
  if (!blocked.isEmpty()) {
    finish(1, QStringLiteral("cannot explain: %1").arg(blocked));
    return;
  }
  panel->explain();
}

bool ScreenshotSession::predictionsPending() const {
  if (!m_window->predictionOverlay()->isSettled()) return true;
  const int model = m_window->modelPanel()->currentModel();
  if (model < 0) return false;
  const auto state = m_window->models()->entry(model).state;
  return state == ModelEntry::State::loading || state == ModelEntry::State::predicting;
}

void ScreenshotSession::captureWhenThumbnailsSettle() {
  ++m_settleRounds;
  if (predictionsPending() && m_settleRounds < maximumModelRounds) return;
  if (m_window->browser()->thumbnails()->pendingCount() > 0 && m_settleRounds < maximumSettleRounds) return;
  m_settleTimer->stop();
  if (m_compare && !m_compareWindow) {
    compareThenCapture();
    return;
  }
  capture();
}

void ScreenshotSession::compareThenCapture() {
  if (!m_explainError.isEmpty()) {
    finish(1, QStringLiteral("the explanation failed, nothing to compare: %1").arg(m_explainError));
    return;
  }
  if (m_window->models()->count() < 2) {
    finish(1, QStringLiteral("--compare needs two models (the demo's CE and seesaw, or --model plus --results)"));
    return;
  }
  m_window->showCompare();
  auto* view = m_window->findChild<CompareView*>();
  if (view == nullptr) {
    finish(1, QStringLiteral("the Compare window did not open"));
    return;
  }
  connect(view, &CompareView::explanationsFinished, this, [this, view] {
    m_compareWindow = view;
    QTimer::singleShot(0, this, &ScreenshotSession::capture);
  }, Qt::SingleShotConnection);
  view->explainBoth();
}

void ScreenshotSession::capture() {
  QApplication::processEvents();  // let queued repaints (thumbnails, zoom label) land first
  const QPixmap shot = m_compareWindow ? m_compareWindow->grab() : m_window->grab();
  const QFileInfo target(m_outputPath);
  if (!QDir().mkpath(target.absolutePath())) {
    finish(1, QStringLiteral("%1: cannot create the folder").arg(target.absolutePath()));
    return;
  }
  if (shot.isNull() || !shot.save(m_outputPath, "PNG")) {
    finish(1, QStringLiteral("%1: cannot write the screenshot").arg(m_outputPath));
    return;
  }
  if (!m_explainError.isEmpty()) {
    finish(1, QStringLiteral("screenshot written to %1, but the explanation failed: %2")
                  .arg(target.absoluteFilePath(), m_explainError));
    return;
  }
  finish(0, QStringLiteral("screenshot written to %1 (%2×%3)")
                .arg(target.absoluteFilePath())
                .arg(shot.width())
                .arg(shot.height()));
}

void ScreenshotSession::finish(int exitCode, const QString& message) {
  if (m_done) return;
  m_done = true;
  m_settleTimer->stop();
  Q_EMIT finished(exitCode, message);
}

}  // namespace counterscope::ui
