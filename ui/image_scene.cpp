#include "ui/image_scene.h"

#include <exception>

#include <QFile>
#include <QImageReader>

#include "core/data/lvis/image_paths.h"
#include "ui/image_list_model.h"

namespace counterscope::ui {

ImageScene buildImageScene(const data::Dataset& dataset, std::size_t imageIndex, const QString& imageRoot) {
  const data::ImageInfo& info = dataset.images.at(imageIndex);
  ImageScene scene;
  scene.imageIndex = imageIndex;
  scene.imageId = info.id;
  scene.displayName = imageDisplayName(info);
  scene.size = QSize(info.width, info.height);
  try {
    scene.imagePath = QFile::decodeName(
        data::resolve_image_path(info, QFile::encodeName(imageRoot).toStdString()).c_str());
    QImageReader reader(scene.imagePath);
    reader.setAutoTransform(true);
    scene.image = reader.read();
    if (scene.image.isNull()) {
      scene.imageError = QStringLiteral("%1: cannot read image: %2").arg(scene.imagePath, reader.errorString());
    } else if (scene.image.size() != scene.size) {
      // Masks are in the annotated size; a differently sized file would misalign every overlay.
      scene.imageError = QStringLiteral("%1: image is %2×%3 but annotated as %4×%5")
                             .arg(scene.imagePath)
                             .arg(scene.image.width())
                             .arg(scene.image.height())
                             .arg(scene.size.width())
                             .arg(scene.size.height());
      scene.image = scene.image.scaled(scene.size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    }
  } catch (const std::exception& error) {
    scene.imageError = QString::fromStdString(error.what());
  }
  const auto& annotationIndexes = dataset.annotations_of_image(imageIndex);
  scene.annotations.reserve(annotationIndexes.size());
  for (const std::uint32_t annotationIndex : annotationIndexes) {
    scene.annotations.push_back(buildAnnotationGraphic(dataset, annotationIndex));
  }
  // Large objects first, so that small ones are drawn on top and stay clickable.
  std::stable_sort(scene.annotations.begin(), scene.annotations.end(),
                   [](const AnnotationGraphic& a, const AnnotationGraphic& b) { return a.area > b.area; });
  return scene;
}

}  // namespace counterscope::ui
