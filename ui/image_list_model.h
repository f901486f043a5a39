#pragma once
// A thin list-model adapter over a Dataset's images, restricted by an ImageFilter. Rows hold image indexes;
// the decoration comes from a ThumbnailCache (optional, so tests can run without decoding).

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <QAbstractListModel>

#include "ui/image_filter.h"

namespace counterscope::ui {

class ThumbnailCache;

class ImageListModel : public QAbstractListModel {
  Q_OBJECT

 public:
  enum Role {
    ImageIndexRole = Qt::UserRole + 1,  ///< int: position in Dataset::images
    ImageIdRole,                        ///< qlonglong: the LVIS/COCO image id
    AnnotationCountRole,                ///< int
    FileNameRole,                       ///< QString: file_name, or the last part of coco_url
  };

  explicit ImageListModel(ThumbnailCache* thumbnails = nullptr, QObject* parent = nullptr);

  void setDataset(std::shared_ptr<const data::Dataset> dataset);
  const std::shared_ptr<const data::Dataset>& dataset() const { return m_dataset; }
  void setFilter(const ImageFilter& filter);
  const ImageFilter& filter() const { return m_filter; }

  int rowCount(const QModelIndex& parent = QModelIndex()) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QHash<int, QByteArray> roleNames() const override;

  /// Images in the dataset, before filtering.
  int totalImageCount() const;
  std::optional<int> rowOfImage(std::size_t imageIndex) const;
  std::optional<std::size_t> imageIndexAt(int row) const;

 private:
  void rebuildRows();
  void onThumbnailReady(int imageIndex);

  ThumbnailCache* m_thumbnails;
  std::shared_ptr<const data::Dataset> m_dataset;
  ImageFilter m_filter;
  std::vector<std::uint32_t> m_rows;   ///< row -> image index
  std::vector<std::int32_t> m_rowOf;   ///< image index -> row, or -1 when filtered out
};

/// The name an image is shown with: file_name, else the last part of coco_url, else its id.
QString imageDisplayName(const data::ImageInfo& image);

}  // namespace counterscope::ui
