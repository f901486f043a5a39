#pragma once
// The image browser panel: filter bar, thumbnail list and a count ("87 of 100 images"). Tells the window
// which image is current; next/previous walk the filtered list.

#include <memory>
#include <optional>

#include <QWidget>

#include "ui/image_filter.h"

class QLabel;
class QListView;

namespace counterscope::ui {

class FilterBar;
class ImageListModel;
class ThumbnailCache;

class ImageBrowser : public QWidget {
  Q_OBJECT

 public:
  explicit ImageBrowser(QWidget* parent = nullptr);

  /// Shows the images of `dataset` (null empties the panel) and selects the first one.
  void setDataset(std::shared_ptr<const data::Dataset> dataset, const QString& imageRoot);

  ImageListModel* model() const { return m_model; }
  FilterBar* filterBar() const { return m_filterBar; }
  QListView* view() const { return m_view; }
  ThumbnailCache* thumbnails() const { return m_thumbnails; }
  QString countText() const;

  std::optional<std::size_t> currentImageIndex() const;
  /// Makes the image current; false when it is not in the (filtered) list.
  bool selectImage(std::size_t imageIndex);

 public Q_SLOTS:
  void selectNext();
  void selectPrevious();

 Q_SIGNALS:
  /// The current image changed (its index in Dataset::images), or -1 when the list is empty.
  void currentImageChanged(int imageIndex);

 private:
  void selectRow(int row);
  void onFilterChanged(const ImageFilter& filter);
  void updateCount();

  ThumbnailCache* m_thumbnails;
  ImageListModel* m_model;
  FilterBar* m_filterBar;
  QListView* m_view;
  QLabel* m_countLabel;
};

}  // namespace counterscope::ui
