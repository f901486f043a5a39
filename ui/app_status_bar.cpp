#include "ui/app_status_bar.h"

#include <QFileInfo>
#include <QLabel>
#include <QProgressBar>

#include "ui/image_scene.h"

namespace counterscope::ui {

namespace {

QLabel* sectionLabel(QWidget* parent, const QString& name) {
  auto* label = new QLabel(parent);
  label->setObjectName(name);
  label->setContentsMargins(6, 0, 6, 0);
  return label;
}

}  // namespace

AppStatusBar::AppStatusBar(QWidget* parent)
    : QStatusBar(parent),
      m_stats(sectionLabel(this, QStringLiteral("statsLabel"))),
      m_model(sectionLabel(this, QStringLiteral("modelLabel"))),
      m_image(sectionLabel(this, QStringLiteral("imageLabel"))),
      m_zoom(sectionLabel(this, QStringLiteral("zoomLabel"))),
      m_progress(new QProgressBar(this)) {
  m_progress->setMaximumWidth(220);
  m_progress->setMaximumHeight(16);
  m_progress->setTextVisible(true);
  m_progress->hide();
  m_zoom->setMinimumWidth(64);
  // The long text (figures, messages) must never widen the window: it is cut, and its tooltip keeps it whole.
  // The permanent sections are short by construction.
  m_stats->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  m_stats->setMinimumWidth(120);
  m_zoom->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
  addWidget(m_stats, 1);
  addWidget(m_progress);
  addPermanentWidget(m_model);
  addPermanentWidget(m_image);
  addPermanentWidget(m_zoom);
  clearDataset();
}

void AppStatusBar::showLoading(const QString& annotationPath) {
  m_stats->setText(tr("Loading %1…").arg(QFileInfo(annotationPath).fileName()));
  m_progress->setRange(0, 0);
  m_progress->setFormat(QString());
  m_progress->show();
  m_image->clear();
}

void AppStatusBar::showProgress(const QString& stage, qint64 done, qint64 total) {
  if (total > 0) {
    m_progress->setRange(0, 1000);
    m_progress->setValue(static_cast<int>(done * 1000 / total));
    m_progress->setFormat(QStringLiteral("%1 %p%").arg(stage));
  } else {
    m_progress->setRange(0, 0);  // busy indicator: the stage's size is unknown
    m_progress->setFormat(stage);
  }
  m_progress->show();
}

void AppStatusBar::showStats(const data::DatasetStats& stats) {
  m_progress->hide();
  m_stats->setText(statsSummary(stats));
  m_stats->setToolTip(m_stats->text());
}

void AppStatusBar::showFailure(const QString& message) {
  m_progress->hide();
  m_stats->setText(tr("Could not open the dataset"));
  m_stats->setToolTip(message);
}

void AppStatusBar::clearDataset() {
  m_progress->hide();
  m_stats->setText(tr("No dataset open — File ▸ Open dataset…"));
  m_stats->setToolTip(QString());
  m_image->clear();
  m_zoom->clear();
}

void AppStatusBar::setModelNote(const QString& note, const QString& details) {
  m_model->setText(note);
  m_model->setToolTip(details);
}

void AppStatusBar::setImage(const ImageScene* scene) {
  if (scene == nullptr) {
    m_image->clear();
    return;
  }
  m_image->setText(tr("image %1 · %2×%3 · %4 annotations")
                       .arg(scene->imageId)
                       .arg(scene->size.width())
                       .arg(scene->size.height())
                       .arg(scene->annotations.size()));
}

void AppStatusBar::setZoom(double factor) { m_zoom->setText(QStringLiteral("%1%").arg(qRound(factor * 100))); }

QString AppStatusBar::statsText() const { return m_stats->text(); }
QString AppStatusBar::modelText() const { return m_model->text(); }
bool AppStatusBar::isShowingProgress() const { return !m_progress->isHidden(); }

}  // namespace counterscope::ui
