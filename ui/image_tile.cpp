#include "ui/image_tile.h"

#include <QPainter>

namespace counterscope::ui {

ImageTile::ImageTile(const QString& caption, QWidget* parent) : QWidget(parent), m_caption(caption) {
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ImageTile::setImage(const QImage& image, const QString& placeholder) {
  m_image = image;
  m_placeholder = placeholder;
  update();
}

void ImageTile::setCaption(const QString& caption) {
  m_caption = caption;
  update();
}

void ImageTile::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::SmoothPixmapTransform);
  QFont font = painter.font();
  font.setPixelSize(11);
  painter.setFont(font);
  const int captionHeight = 16;
  painter.setPen(QColor(0xb8, 0xbe, 0xc8));
  painter.drawText(QRect(0, 0, width(), captionHeight), Qt::AlignLeft | Qt::AlignVCenter, m_caption);
  const QRect area(0, captionHeight + 2, width(), height() - captionHeight - 2);
  painter.fillRect(area, QColor(0x1d, 0x20, 0x25));
  if (m_image.isNull()) {
    painter.setPen(QColor(0x80, 0x87, 0x92));
    painter.drawText(area.adjusted(6, 6, -6, -6), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
    return;
  }
  const QSize scaled = m_image.size().scaled(area.size(), Qt::KeepAspectRatio);
  const QRect target(area.left() + (area.width() - scaled.width()) / 2,
                     area.top() + (area.height() - scaled.height()) / 2, scaled.width(), scaled.height());
  painter.drawImage(target, m_image);
}

}  // namespace counterscope::ui
