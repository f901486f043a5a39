#include "core/augmentation/source_images.h"

#include <opencv2/imgcodecs.hpp>

#include "core/data/lvis/image_paths.h"
#include "core/data/mask/mask_api.h"
#include "core/util/error.h"

namespace counterscope::augmentation {
namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

bool has_segmentation(const data::Annotation& annotation) {
  return annotation.segmentation.polygon_count > 0 || annotation.segmentation.rle_index >= 0;
}

}  // namespace

bool is_suitable_instance(const data::Annotation& annotation, double min_area) {
  return !annotation.iscrowd && annotation.area >= min_area && has_segmentation(annotation) &&
         annotation.bbox.w >= 1.0 && annotation.bbox.h >= 1.0;
}

std::uint64_t attempt_seed(std::uint64_t seed, std::int64_t category_id, std::int64_t attempt) {
  return splitmix64(splitmix64(splitmix64(seed) ^ static_cast<std::uint64_t>(category_id)) ^
                    static_cast<std::uint64_t>(attempt));
}

SuitableInstances find_suitable_instances(const data::Dataset& dataset, double min_area) {
  SuitableInstances out;
  for (std::size_t i = 0; i < dataset.images.size(); ++i) {
    std::vector<std::uint32_t> suitable;
    for (const std::uint32_t a : dataset.annotations_of_image(i))
      if (is_suitable_instance(dataset.annotations[a], min_area)) suitable.push_back(a);
    if (suitable.empty()) continue;
    out.images.push_back(static_cast<std::uint32_t>(i));
    out.annotations.push_back(std::move(suitable));
  }
  return out;
}

cv::Mat read_dataset_image(const data::Dataset& dataset, std::size_t image_index, const std::string& image_root) {
  const data::ImageInfo& info = dataset.images[image_index];
  const std::string path = data::resolve_image_path(info, image_root);
  cv::Mat image = cv::imread(path, cv::IMREAD_COLOR);
  if (image.empty()) throw InputError(path, "", "", "cannot decode the image");
  if (image.cols != info.width || image.rows != info.height)
    throw InputError(path, "size", std::to_string(image.cols) + "x" + std::to_string(image.rows),
                     "differs from the annotation file's " + std::to_string(info.width) + "x" +
                         std::to_string(info.height));
  return image;
}

ImageInstances image_instances(const data::Dataset& dataset, std::size_t image_index) {
  const data::ImageInfo& info = dataset.images[image_index];
  ImageInstances out;
  for (const std::uint32_t a : dataset.annotations_of_image(image_index)) {
    const data::Annotation& annotation = dataset.annotations[a];
    if (!has_segmentation(annotation)) continue;
    const std::vector<std::uint8_t> bits = data::rle_decode_row_major(dataset.mask_of(annotation));
    out.annotations.push_back(&annotation);
    out.masks.push_back(cv::Mat(info.height, info.width, CV_8U, const_cast<std::uint8_t*>(bits.data())).clone());
  }
  return out;
}

NewAnnotation annotation_from_mask(std::int64_t category_id, const cv::Mat& mask, bool iscrowd) {
  const cv::Mat continuous = mask.isContinuous() ? mask : mask.clone();
  NewAnnotation out;
  out.category_id = category_id;
  out.iscrowd = iscrowd;
  out.mask = data::rle_encode_row_major(continuous.ptr<std::uint8_t>(), static_cast<std::uint32_t>(mask.rows),
                                        static_cast<std::uint32_t>(mask.cols));
  out.area = static_cast<double>(data::rle_area(out.mask));
  out.bbox = data::rle_to_box(out.mask);
  return out;
}

}  // namespace counterscope::augmentation
