#include "core/augmentation/augmented_dataset.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "core/data/lvis/image_paths.h"
#include "core/util/error.h"

namespace counterscope::augmentation {
namespace {

namespace fs = std::filesystem;

// Where resolve_image_path(info, root) looks first, relative to root.
fs::path first_candidate(const data::ImageInfo& info) {
  if (!info.coco_url.empty()) {
    const std::size_t slash = info.coco_url.find_last_of('/');
    const std::string name = slash == std::string::npos ? info.coco_url : info.coco_url.substr(slash + 1);
    if (slash == std::string::npos || slash == 0) return fs::path(name);
    const std::size_t previous = info.coco_url.find_last_of('/', slash - 1);
    const std::size_t begin = previous == std::string::npos ? 0 : previous + 1;
    return fs::path(info.coco_url.substr(begin, slash - begin)) / name;
  }
  return fs::path(info.file_name);
}

}  // namespace

std::string new_image_file_name(const std::string& method, std::int64_t image_id) {
  char name[64];
  std::snprintf(name, sizeof(name), "%s_%012lld.png", method == "transforms" ? "tf" : "cf",
                static_cast<long long>(image_id));
  return name;
}

data::ImageInfo new_image_info(const data::Dataset& original, std::int64_t image_id, const std::string& file,
                               int width, int height) {
  data::ImageInfo info;
  info.id = image_id;
  info.width = width;
  info.height = height;
  if (original.format == data::DatasetFormat::lvis_v1)
    info.coco_url = "images/train2017/" + file;
  else
    info.file_name = "train2017/" + file;
  return info;
}

std::int64_t first_new_image_id(const data::Dataset& original) {
  std::int64_t largest = 0;
  for (const auto& image : original.images) largest = std::max(largest, image.id);
  return largest + 1;
}

std::int64_t first_new_annotation_id(const data::Dataset& original) {
  std::int64_t largest = 0;
  for (const auto& annotation : original.annotations) largest = std::max(largest, annotation.id);
  return largest + 1;
}

data::Dataset build_augmented_dataset(const data::Dataset& original, const std::vector<JournalRecord>& records) {
  data::Dataset out = original;
  for (const JournalRecord& record : records) {
    out.images.push_back(record.image);
    std::int64_t id = record.first_annotation_id;
    for (const NewAnnotation& annotation : record.annotations) {
      data::Annotation added;
      added.id = id++;
      added.image_id = record.image.id;
      added.category_id = annotation.category_id;
      added.bbox = annotation.bbox;
      added.area = annotation.area;
      added.iscrowd = annotation.iscrowd;
      added.segmentation.rle_index = static_cast<std::int32_t>(out.rles.size());
      out.rles.push_back(annotation.mask);
      out.annotations.push_back(added);
    }
  }
  out.build_indexes();
  std::vector<std::int64_t> instances(out.categories.size(), 0);
  for (const auto& annotation : out.annotations) ++instances[*out.category_index(annotation.category_id)];
  for (std::size_t c = 0; c < out.categories.size(); ++c) {
    out.categories[c].image_count = static_cast<std::int64_t>(out.images_of_category(c).size());
    out.categories[c].instance_count = instances[c];
  }
  return out;
}

void link_original_images(const data::Dataset& original, const std::string& image_root,
                          const std::string& out_images_root, const JobContext& context) {
  const fs::path root(out_images_root);
  const std::int64_t total = static_cast<std::int64_t>(original.images.size());
  for (std::size_t i = 0; i < original.images.size(); ++i) {
    if (i % 1024 == 0) {
      context.throw_if_cancelled();
      context.report("link original images", static_cast<std::int64_t>(i), total);
    }
    const data::ImageInfo& info = original.images[i];
    const fs::path relative = first_candidate(info);
    if (relative.is_absolute()) continue;  // resolve_image_path finds an absolute file_name from any root
    const fs::path target = fs::absolute(data::resolve_image_path(info, image_root));
    const fs::path link = root / relative;
    std::error_code error;
    if (fs::is_symlink(link, error)) {
      if (fs::read_symlink(link, error) == target) continue;
      fs::remove(link, error);
    }
    fs::create_directories(link.parent_path(), error);
    error.clear();
    fs::create_symlink(target, link, error);
    if (error)
      throw InputError(link.string(), "", "", "cannot link the original image " + target.string() + ": " +
                                                  error.message());
  }
  context.report("link original images", total, total);
}

}  // namespace counterscope::augmentation
