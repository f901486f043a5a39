#include "ui/image_browser.h"

#include <QItemSelectionModel>
#include <QLabel>
#include <QListView>
#include <QLocale>
#include <QVBoxLayout>

#include "ui/filter_bar.h"
#include "ui/image_list_model.h"
#include "ui/thumbnail_cache.h"

namespace counterscope::ui {

ImageBrowser::ImageBrowser(QWidget* parent)
    : QWidget(parent),
      m_thumbnails(new ThumbnailCache(QSize(96, 72), this)),
      m_model(new ImageListModel(m_thumbnails, this)),
      m_filterBar(new FilterBar(this)),
      m_view(new QListView(this)),
      m_countLabel(new QLabel(this)) {
  m_view->setModel(m_model);
  m_view->setViewMode(QListView::ListMode);
  m_view->setIconSize(m_thumbnails->thumbnailSize());
  // Uniform rows let the view lay out 100,000 images without asking each row for its size.
  m_view->setUniformItemSizes(true);
  m_view->setSpacing(2);
  m_view->setSelectionMode(QAbstractItemView::SingleSelection);
  m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
  m_view->setAlternatingRowColors(true);

  m_countLabel->setObjectName(QStringLiteral("imageCountLabel"));
  m_countLabel->setContentsMargins(2, 0, 2, 0);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 6, 6, 6);
  layout->setSpacing(6);
  layout->addWidget(m_filterBar);
  layout->addWidget(m_countLabel);
  layout->addWidget(m_view, 1);

  connect(m_filterBar, &FilterBar::filterChanged, this, &ImageBrowser::onFilterChanged);
  connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
          [this](const QModelIndex& current) {
            const auto imageIndex = m_model->imageIndexAt(current.row());
            Q_EMIT currentImageChanged(imageIndex ? static_cast<int>(*imageIndex) : -1);
          });
  updateCount();
}

void ImageBrowser::setDataset(std::shared_ptr<const data::Dataset> dataset, const QString& imageRoot) {
  m_thumbnails->setDataset(dataset, imageRoot);
  m_filterBar->setDataset(dataset);
  m_model->setDataset(std::move(dataset));
  updateCount();
  if (m_model->rowCount() > 0) {
    selectRow(0);
  } else {
    Q_EMIT currentImageChanged(-1);
  }
}

QString ImageBrowser::countText() const { return m_countLabel->text(); }

void ImageBrowser::updateCount() {
  const QLocale locale;
  const int shown = m_model->rowCount();
  const int total = m_model->totalImageCount();
  m_countLabel->setText(shown == total ? tr("%1 images").arg(locale.toString(total))
                                       : tr("%1 of %2 images").arg(locale.toString(shown), locale.toString(total)));
}

std::optional<std::size_t> ImageBrowser::currentImageIndex() const {
  return m_model->imageIndexAt(m_view->currentIndex().row());
}

bool ImageBrowser::selectImage(std::size_t imageIndex) {
  const auto row = m_model->rowOfImage(imageIndex);
  if (!row) return false;
  selectRow(*row);
  return true;
}

void ImageBrowser::selectRow(int row) {
  if (row < 0 || row >= m_model->rowCount()) return;
  const QModelIndex index = m_model->index(row);
  m_view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect);
  m_view->scrollTo(index);
}

void ImageBrowser::selectNext() {
  const int row = m_view->currentIndex().isValid() ? m_view->currentIndex().row() + 1 : 0;
  selectRow(std::min(row, m_model->rowCount() - 1));
}

void ImageBrowser::selectPrevious() {
  const int row = m_view->currentIndex().isValid() ? m_view->currentIndex().row() - 1 : 0;
  selectRow(std::max(row, 0));
}

void ImageBrowser::onFilterChanged(const ImageFilter& filter) {
  const auto previous = currentImageIndex();
  m_model->setFilter(filter);  // a reset: the view forgets its current row
  updateCount();
  // Stay on the same image when it passes the new filter; otherwise go to the first one.
  if (previous && selectImage(*previous)) return;
  if (m_model->rowCount() > 0) {
    selectRow(0);
  } else {
    Q_EMIT currentImageChanged(-1);
  }
}

}  // namespace counterscope::ui
