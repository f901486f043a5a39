#pragma once
// A hand-built Dataset for UI tests: 3 categories (one per frequency group), 5 images, 7 annotations.
//   image 10: cat (f) ×2        image 20: cat (f), newt (r)   image 30: owl (c)
//   image 40: (none)            image 50: newt (r), owl (c)
// Category 4 ("yak", rare) has no annotation.

#include "core/data/lvis/dataset.h"

namespace counterscope::ui::testing {

inline data::Dataset makeTinyDataset() {
  data::Dataset dataset;
  dataset.format = data::DatasetFormat::lvis_v1;
  dataset.source_path = "tiny.json";
  auto category = [](std::int64_t id, const char* name, data::Frequency frequency) {
    data::Category c;
    c.id = id;
    c.name = name;
    c.frequency = frequency;
    return c;
  };
  dataset.categories = {category(1, "cat", data::Frequency::frequent), category(2, "newt", data::Frequency::rare),
                        category(3, "owl", data::Frequency::common), category(4, "yak", data::Frequency::rare)};
  for (const std::int64_t id : {10, 20, 30, 40, 50}) {
    data::ImageInfo image;
    image.id = id;
    image.width = 64;
    image.height = 48;
    image.coco_url = "http://images.cocodataset.org/val2017/0000000000" + std::to_string(id) + ".jpg";
    dataset.images.push_back(image);
  }
  auto annotation = [&](std::int64_t id, std::int64_t imageId, std::int64_t categoryId, data::BoxXywh box) {
    data::Annotation a;
    a.id = id;
    a.image_id = imageId;
    a.category_id = categoryId;
    a.bbox = box;
    a.area = box.w * box.h;
    // A rectangle polygon matching the box.
    a.segmentation.first_polygon = static_cast<std::uint32_t>(dataset.polygon_offsets.size() - 1);
    a.segmentation.polygon_count = 1;
    for (const double v : {box.x, box.y, box.x + box.w, box.y, box.x + box.w, box.y + box.h, box.x, box.y + box.h}) {
      dataset.polygon_coordinates.push_back(v);
    }
    dataset.polygon_offsets.push_back(dataset.polygon_coordinates.size());
    dataset.annotations.push_back(a);
  };
  annotation(101, 10, 1, {2, 2, 20, 10});
  annotation(102, 10, 1, {30, 20, 10, 10});
  annotation(103, 20, 1, {0, 0, 8, 8});
  annotation(104, 20, 2, {10, 10, 12, 6});
  annotation(105, 30, 3, {5, 5, 30, 30});
  annotation(106, 50, 2, {1, 1, 4, 4});
  annotation(107, 50, 3, {20, 20, 10, 20});
  dataset.build_indexes();
  return dataset;
}

}  // namespace counterscope::ui::testing
