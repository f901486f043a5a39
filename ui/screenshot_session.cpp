#include "ui/screenshot_session.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QPixmap>
#include <QTimer>

#include "ui/image_browser.h"
#include "ui/image_list_model.h"
#include "ui/main_window.h"
#include "ui/thumbnail_cache.h"

namespace counterscope::ui {

namespace {

// Thumbnails of the visible rows are decoded after the canvas is drawn; give them up to this many
// polling rounds (of settleIntervalMs) to arrive, so the screenshot shows the list as a user would see it.
constexpr int maximumSettleRounds = 100;
constexpr int settleIntervalMs = 50;

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

void ScreenshotSession::onImageShown(qint64 imageId) {
  if (m_done || (m_imageId && imageId != *m_imageId)) return;
  m_settleRounds = 0;
  m_settleTimer->start();
}

void ScreenshotSession::captureWhenThumbnailsSettle() {
  ++m_settleRounds;
  if (m_window->browser()->thumbnails()->pendingCount() > 0 && m_settleRounds < maximumSettleRounds) return;
  m_settleTimer->stop();
  capture();
}

void ScreenshotSession::capture() {
  QApplication::processEvents();  // let queued repaints (thumbnails, zoom label) land first
  const QPixmap shot = m_window->grab();
  const QFileInfo target(m_outputPath);
  if (!QDir().mkpath(target.absolutePath())) {
    finish(1, QStringLiteral("%1: cannot create the folder").arg(target.absolutePath()));
    return;
  }
  if (shot.isNull() || !shot.save(m_outputPath, "PNG")) {
    finish(1, QStringLiteral("%1: cannot write the screenshot").arg(m_outputPath));
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
