#pragma once
// A captioned image that scales to its cell, keeping its aspect ratio (explain panel, compare view).

#include <QImage>
#include <QString>
#include <QWidget>

namespace counterscope::ui {

class ImageTile : public QWidget {
  Q_OBJECT

 public:
  explicit ImageTile(const QString& caption, QWidget* parent = nullptr);
  void setImage(const QImage& image, const QString& placeholder = QString());
  const QImage& image() const { return m_image; }
  void setCaption(const QString& caption);
  QSize sizeHint() const override { return QSize(200, 200); }
  QSize minimumSizeHint() const override { return QSize(96, 96); }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QString m_caption;
  QString m_placeholder;
  QImage m_image;
};

}  // namespace counterscope::ui
