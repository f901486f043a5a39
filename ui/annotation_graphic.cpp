#include "ui/annotation_graphic.h"

#include <algorithm>
#include <exception>
#include <vector>

#include "core/data/mask/mask_api.h"
#include "ui/category_colors.h"

namespace counterscope::ui {

namespace {

QRgb premultiplied(const QColor& color, int alpha) {
  return qPremultiply(qRgba(color.red(), color.green(), color.blue(), alpha));
}

}  // namespace

QImage tintMask(const std::uint8_t* mask, int width, int height, const QColor& color, QPoint* origin) {
  int left = width, top = height, right = -1, bottom = -1;
  for (int y = 0; y < height; ++y) {
    const std::uint8_t* row = mask + static_cast<std::size_t>(y) * width;
    for (int x = 0; x < width; ++x) {
      if (row[x] == 0) continue;
      left = std::min(left, x);
      right = std::max(right, x);
      top = std::min(top, y);
      bottom = std::max(bottom, y);
    }
  }
  if (right < 0) return {};
  QImage tinted(right - left + 1, bottom - top + 1, QImage::Format_ARGB32_Premultiplied);
  tinted.fill(Qt::transparent);
  const QRgb fill = premultiplied(color, maskFillAlpha);
  const QRgb outline = premultiplied(color, 255);
  auto inside = [&](int x, int y) {
    return x >= 0 && y >= 0 && x < width && y < height && mask[static_cast<std::size_t>(y) * width + x] != 0;
  };
  for (int y = top; y <= bottom; ++y) {
    auto* out = reinterpret_cast<QRgb*>(tinted.scanLine(y - top));
    for (int x = left; x <= right; ++x) {
      if (!inside(x, y)) continue;
      const bool border = !inside(x - 1, y) || !inside(x + 1, y) || !inside(x, y - 1) || !inside(x, y + 1);
      out[x - left] = border ? outline : fill;
    }
  }
  if (origin != nullptr) *origin = QPoint(left, top);
  return tinted;
}

AnnotationGraphic buildAnnotationGraphic(const data::Dataset& dataset, std::size_t annotationIndex) {
  const data::Annotation& annotation = dataset.annotations[annotationIndex];
  AnnotationGraphic graphic;
  graphic.annotationId = annotation.id;
  graphic.categoryId = annotation.category_id;
  graphic.isCrowd = annotation.iscrowd;
  graphic.area = annotation.area;
  graphic.box = QRectF(annotation.bbox.x, annotation.bbox.y, annotation.bbox.w, annotation.bbox.h);
  graphic.color = categoryColor(annotation.category_id);
  if (const auto category = dataset.category_index(annotation.category_id)) {
    graphic.categoryName = QString::fromStdString(dataset.categories[*category].name);
    graphic.frequency = dataset.categories[*category].frequency;
  } else {
    graphic.categoryName = QStringLiteral("category %1").arg(annotation.category_id);
  }
  try {
    const data::Rle rle = dataset.mask_of(annotation);
    if (rle.height > 0 && rle.width > 0) {
      const std::vector<std::uint8_t> mask = data::rle_decode_row_major(rle);
      graphic.mask = tintMask(mask.data(), static_cast<int>(rle.width), static_cast<int>(rle.height),
                              graphic.color, &graphic.maskOrigin);
    }
  } catch (const std::exception& error) {
    // A malformed segmentation still has a box and a label worth showing; the reason goes in the tooltip.
    graphic.maskError = QString::fromStdString(error.what());
  }
  return graphic;
}

}  // namespace counterscope::ui
