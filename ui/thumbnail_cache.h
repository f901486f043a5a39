#pragma once
// Thumbnails of a dataset's images, decoded lazily on a private QThreadPool and kept in a bounded cache.
// Views ask for a thumbnail when they paint a row; until it is decoded they get a placeholder, and
// thumbnailReady tells them to repaint.

#include <cstdint>
#include <memory>
#include <unordered_set>

#include <QCache>
#include <QImage>
#include <QObject>
#include <QPixmap>
#include <QSize>
#include <QThreadPool>

#include "core/data/lvis/dataset.h"

namespace counterscope::ui {

class ThumbnailCache : public QObject {
  Q_OBJECT

 public:
  explicit ThumbnailCache(QSize thumbnailSize = QSize(96, 72), QObject* parent = nullptr);
  /// Drops queued decodes and waits for running ones.
  ~ThumbnailCache() override;

  /// Switches to another dataset (null clears): the cache is emptied and results of older requests dropped.
  void setDataset(std::shared_ptr<const data::Dataset> dataset, const QString& imageRoot);

  /// The thumbnail of the image at `imageIndex`, or the loading placeholder after queueing its decode.
  /// Images whose file cannot be found or read get the "missing" placeholder.
  QPixmap thumbnail(int imageIndex);
  bool isCached(int imageIndex) const { return m_cache.contains(imageIndex); }
  QSize thumbnailSize() const { return m_size; }
  int pendingCount() const { return static_cast<int>(m_pending.size()); }
  /// Blocks until queued decodes are done (tests, shutdown); their results arrive as queued events.
  void waitForDecodes() { m_pool.waitForDone(); }

 Q_SIGNALS:
  void thumbnailReady(int imageIndex);

 private:
  void onDecoded(std::uint64_t generation, int imageIndex, const QImage& image);
  static QImage decodeThumbnail(const data::Dataset& dataset, std::size_t imageIndex, const QString& imageRoot,
                                QSize size);
  QPixmap placeholder(bool missing) const;

  QSize m_size;
  std::shared_ptr<const data::Dataset> m_dataset;
  QString m_imageRoot;
  std::uint64_t m_generation = 0;
  int m_requestCounter = 0;
  QCache<int, QPixmap> m_cache;
  std::unordered_set<int> m_pending;
  QPixmap m_loadingPlaceholder;
  QPixmap m_missingPlaceholder;
  QThreadPool m_pool;
};

}  // namespace counterscope::ui
