#include "ui/thumbnail_cache.h"

#include <QFile>
#include <QImageReader>
#include <QPainter>
#include <QThread>

#include "core/data/lvis/image_paths.h"

namespace counterscope::ui {

namespace {

// Cache cost is counted in KiB of pixels: 48 MiB keeps ~1,700 thumbnails of 96×72.
constexpr int cacheBudgetKib = 48 * 1024;

int costKib(const QPixmap& pixmap) {
  return std::max(1, static_cast<int>(static_cast<qint64>(pixmap.width()) * pixmap.height() * 4 / 1024));
}

}  // namespace

ThumbnailCache::ThumbnailCache(QSize thumbnailSize, QObject* parent)
    : QObject(parent), m_size(thumbnailSize), m_cache(cacheBudgetKib) {
  // Leave a core to the GUI thread and to the loaders; JPEG decoding is the bottleneck, not the count.
  m_pool.setMaxThreadCount(std::max(1, QThread::idealThreadCount() - 1));
  m_loadingPlaceholder = placeholder(false);
  m_missingPlaceholder = placeholder(true);
}

ThumbnailCache::~ThumbnailCache() {
  m_pool.clear();
  m_pool.waitForDone();
}

void ThumbnailCache::setDataset(std::shared_ptr<const data::Dataset> dataset, const QString& imageRoot) {
  m_pool.clear();  // queued decodes of the old dataset; running ones finish and are ignored
  ++m_generation;
  m_dataset = std::move(dataset);
  m_imageRoot = imageRoot;
  m_cache.clear();
  m_pending.clear();
}

QPixmap ThumbnailCache::thumbnail(int imageIndex) {
  if (const QPixmap* cached = m_cache.object(imageIndex)) return *cached;
  if (!m_dataset || imageIndex < 0 || static_cast<std::size_t>(imageIndex) >= m_dataset->images.size()) {
    return m_missingPlaceholder;
  }
  if (m_pending.insert(imageIndex).second) {
    // Later requests get higher priority: the rows the user scrolled to last are decoded first.
    const int priority = ++m_requestCounter;
    m_pool.start(
        [this, dataset = m_dataset, root = m_imageRoot, size = m_size, generation = m_generation, imageIndex] {
          QImage image = decodeThumbnail(*dataset, static_cast<std::size_t>(imageIndex), root, size);
          QMetaObject::invokeMethod(
              this, [this, generation, imageIndex, image] { onDecoded(generation, imageIndex, image); },
              Qt::QueuedConnection);
        },
        priority);
  }
  return m_loadingPlaceholder;
}

QImage ThumbnailCache::decodeThumbnail(const data::Dataset& dataset, std::size_t imageIndex,
                                       const QString& imageRoot, QSize size) {
  std::string path;
  try {
    path = data::resolve_image_path(dataset.images[imageIndex], QFile::encodeName(imageRoot).toStdString());
  } catch (const std::exception&) {
    return {};  // shown as missing; the canvas reports the paths tried when the image is opened
  }
  QImageReader reader(QFile::decodeName(path.c_str()));
  reader.setAutoTransform(true);
  const QSize full = reader.size();
  // Decoding at reduced size lets the JPEG decoder skip most of the work (DCT scaling).
  if (full.isValid()) reader.setScaledSize(full.scaled(size, Qt::KeepAspectRatio));
  QImage image = reader.read();
  if (image.isNull()) return {};
  if (image.size() != image.size().scaled(size, Qt::KeepAspectRatio)) {
    image = image.scaled(size, Qt::KeepAspectRatio, Qt::SmoothTransformation);
  }
  return image;
}

void ThumbnailCache::onDecoded(std::uint64_t generation, int imageIndex, const QImage& image) {
  if (generation != m_generation) return;
  m_pending.erase(imageIndex);
  auto* pixmap = new QPixmap(image.isNull() ? m_missingPlaceholder : QPixmap::fromImage(image));
  m_cache.insert(imageIndex, pixmap, costKib(*pixmap));
  Q_EMIT thumbnailReady(imageIndex);
}

QPixmap ThumbnailCache::placeholder(bool missing) const {
  QPixmap pixmap(m_size);
  pixmap.fill(QColor(0x2b, 0x2f, 0x36));
  QPainter painter(&pixmap);
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setPen(QPen(QColor(0x4a, 0x50, 0x5a), 1));
  painter.drawRect(pixmap.rect().adjusted(0, 0, -1, -1));
  if (missing) {
    // A crossed frame: the image file is not under the image root.
    painter.setPen(QPen(QColor(0x8a, 0x54, 0x54), 1.5));
    const QRectF frame(m_size.width() * 0.35, m_size.height() * 0.3, m_size.width() * 0.3, m_size.height() * 0.4);
    painter.drawRect(frame);
    painter.drawLine(frame.topLeft(), frame.bottomRight());
    painter.drawLine(frame.topRight(), frame.bottomLeft());
  }
  return pixmap;
}

}  // namespace counterscope::ui
