// resolve_image_path: one image root for LVIS v1 (coco_url), v0.5 (COCO 2014 file names), COCO and plain
// folders; the one real image of shared/refs decoded with OpenCV and checked against its 13 annotations.

#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "core/data/lvis/image_paths.h"
#include "core/data/lvis/lvis_loader.h"
#include "core/data/mask/mask_api.h"
#include "tests/data/lvis/lvis_fixtures.h"

namespace counterscope::data {
namespace {

using testing::input_error_of;
using testing::lvis_v05_100_path;
using testing::scratch_dir;
using testing::write_text;

#define EXPECT_CONTAINS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

TEST(ImagePaths, RealImageThroughCocoUrl) {
  const Dataset dataset = load_dataset(lvis_v05_100_path());
  const std::size_t index = *dataset.image_index(196141);
  const ImageInfo& info = dataset.images[index];
  const std::string root = std::string(COUNTERSCOPE_REFS_DIR) + "/lvis";
  const std::string path = resolve_image_path(info, root);
  EXPECT_TRUE(ends_with(path, "lvis/val2017/000000196141.jpg") || ends_with(path, "lvis/images/val2017/000000196141.jpg"))
      << path;
  const cv::Mat image = cv::imread(path, cv::IMREAD_COLOR);
  ASSERT_FALSE(image.empty());
  EXPECT_EQ(image.cols, info.width);
  EXPECT_EQ(image.rows, info.height);
  EXPECT_EQ(image.cols, 640);
  EXPECT_EQ(image.rows, 429);

  // Its 13 annotations: ids 512..524 with these categories; each mask lies in the image, inside its box,
  // and covers about the polygon area.
  const std::int64_t categories[] = {58, 89, 89, 89, 568, 568, 606, 606, 606, 606, 60, 56, 56};
  const auto& annotations = dataset.annotations_of_image(index);
  ASSERT_EQ(annotations.size(), 13u);
  for (std::size_t k = 0; k < annotations.size(); ++k) {
    const Annotation& annotation = dataset.annotations[annotations[k]];
    EXPECT_EQ(annotation.id, static_cast<std::int64_t>(512 + k));
    EXPECT_EQ(annotation.category_id, categories[k]);
    const Rle mask = dataset.mask_of(annotation);
    EXPECT_EQ(mask.height, 429u);
    EXPECT_EQ(mask.width, 640u);
    const double area = static_cast<double>(rle_area(mask));
    EXPECT_NEAR(area, annotation.area, 0.25 * annotation.area + 20) << "annotation " << annotation.id;
    const BoxXywh box = rle_to_box(mask);
    EXPECT_GE(box.x, std::floor(annotation.bbox.x) - 1);
    EXPECT_GE(box.y, std::floor(annotation.bbox.y) - 1);
    EXPECT_LE(box.x + box.w, std::ceil(annotation.bbox.x + annotation.bbox.w) + 1);
    EXPECT_LE(box.y + box.h, std::ceil(annotation.bbox.y + annotation.bbox.h) + 1);
    EXPECT_LE(box.x + box.w, image.cols);
    EXPECT_LE(box.y + box.h, image.rows);
  }
}

class ImageRoot : public ::testing::Test {
 protected:
  void SetUp() override { m_root = scratch_dir(::testing::UnitTest::GetInstance()->current_test_info()->name()); }
  std::string touch(const std::string& relative) {
    const std::filesystem::path path = std::filesystem::path(m_root) / relative;
    std::filesystem::create_directories(path.parent_path());
    write_text(path.parent_path().string(), path.filename().string(), "jpeg bytes");
    return path.string();
  }
  std::string m_root;
};

TEST_F(ImageRoot, LvisV1UsesTheUrlFolder) {
  const std::string train = touch("train2017/000000000011.jpg");
  ImageInfo image{11, 32, 32, "", "http://images.cocodataset.org/train2017/000000000011.jpg", {}, {}};
  EXPECT_EQ(resolve_image_path(image, m_root), train);
  // A plain folder holding the file directly also serves.
  const std::string plain = touch("flat/000000000011.jpg");
  EXPECT_EQ(resolve_image_path(image, m_root + "/flat"), plain);
}

TEST_F(ImageRoot, LvisV05CocoNames) {
  ImageInfo image{139, 640, 426, "COCO_val2014_000000000139.jpg", "", {}, {}};
  // COCO 2017 layout: the 2014 name becomes val2017/<12-digit id>.jpg, as lvis-api / detectron2 do.
  const std::string layout_2017 = touch("val2017/000000000139.jpg");
  EXPECT_EQ(resolve_image_path(image, m_root), layout_2017);
  std::filesystem::remove(layout_2017);
  // COCO 2014 layout: the file name in its split folder.
  const std::string layout_2014 = touch("val2014/COCO_val2014_000000000139.jpg");
  EXPECT_EQ(resolve_image_path(image, m_root), layout_2014);
  std::filesystem::remove(layout_2014);
  // A folder of 2017 names without split folders.
  const std::string flat = touch("000000000139.jpg");
  EXPECT_EQ(resolve_image_path(image, m_root), flat);
}

TEST_F(ImageRoot, CocoFileNames) {
  const std::string with_folder = touch("images/val2017/000000000005.jpg");
  ImageInfo image{5, 4, 3, "images/val2017/000000000005.jpg", "", {}, {}};
  EXPECT_EQ(resolve_image_path(image, m_root), with_folder);
  const std::string synthetic = touch("train2017/scene_00042.png");
  ImageInfo named{42, 4, 3, "scene_00042.png", "", {}, {}};
  EXPECT_EQ(resolve_image_path(named, m_root + "/train2017"), synthetic);
}

TEST_F(ImageRoot, MissingImageNamesIdAndPaths) {
  ImageInfo image{196141, 640, 429, "", "http://images.cocodataset.org/val2017/000000196141.jpg", {}, {}};
  const std::string message = input_error_of([&] { resolve_image_path(image, m_root); });
  EXPECT_CONTAINS(message, m_root + ": image 196141 = \"http://images.cocodataset.org/val2017/000000196141.jpg\"");
  EXPECT_CONTAINS(message, "val2017/000000196141.jpg");
  EXPECT_CONTAINS(message, "no image file found");
  EXPECT_CONTAINS(input_error_of([&] { resolve_image_path(image, m_root + "/no_such_root"); }), "no image file found");
  // A folder with the image's name is not an image.
  std::filesystem::create_directories(m_root + "/val2017/000000196141.jpg");
  EXPECT_CONTAINS(input_error_of([&] { resolve_image_path(image, m_root); }), "no image file found");
}

}  // namespace
}  // namespace counterscope::data
