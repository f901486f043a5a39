// A tiny world on disk: byte-identical across runs and thread counts, loads with load_dataset like LVIS,
// annotations equal the visible pixels (occlusion), images can be re-created, bad options fail clearly.

#include "core/data/synthetic/world_generator.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "core/data/lvis/image_paths.h"
#include "core/data/lvis/lvis_loader.h"
#include "core/data/mask/mask_api.h"
#include "core/data/synthetic/counterfactual_twin.h"
#include "core/data/synthetic/scene_renderer.h"
#include "core/util/error.h"
#include "tests/test_paths.h"

namespace counterscope::data::synthetic {
namespace {
namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  const fs::path path = fs::path(COUNTERSCOPE_TEST_TMP_DIR) / "test_synthetic_world" / name;
  fs::remove_all(path);
  return path;
}

WorldOptions tiny_options() {
  WorldOptions options;
  options.seed = 11;
  options.train_images = 48;
  options.val_images = 40;
  options.width = 96;
  options.height = 80;
  return options;
}

std::map<std::string, std::string> read_tree(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream file(entry.path(), std::ios::binary);
    files[fs::relative(entry.path(), root).string()] =
        std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  }
  return files;
}

// One tiny world shared by the tests that only read it.
const fs::path& shared_world() {
  static const fs::path path = [] {
    const fs::path dir = scratch("shared");
    generate_world(tiny_options(), dir.string(), 2);
    return dir;
  }();
  return path;
}

TEST(SyntheticWorld, SameSeedGivesIdenticalBytesWhateverTheThreadCount) {
  const fs::path one = scratch("one_thread");
  generate_world(tiny_options(), one.string(), 1);
  const auto a = read_tree(one);
  const auto b = read_tree(shared_world());
  ASSERT_EQ(a.size(), 48u + 40u + 3u);  // images, two annotation files, world.json
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, bytes] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    EXPECT_TRUE(bytes == b.at(name)) << name << " differs";
  }
  WorldOptions other = tiny_options();
  other.seed = 12;
  const fs::path changed = scratch("other_seed");
  generate_world(other, changed.string(), 2);
  EXPECT_NE(read_tree(changed).at("annotations/train.json"), a.at("annotations/train.json"));
}

TEST(SyntheticWorld, LoadsLikeLvisWithConsistentAnnotations) {
  const fs::path root = shared_world();
  const Dataset train = load_dataset((root / "annotations" / "train.json").string());
  const Dataset val = load_dataset((root / "annotations" / "val.json").string());
  EXPECT_EQ(train.format, DatasetFormat::lvis_v1);
  ASSERT_EQ(train.images.size(), 48u);
  ASSERT_EQ(val.images.size(), 40u);
  ASSERT_EQ(train.categories.size(), default_category_specs().size());
  EXPECT_EQ(train.images[0].coco_url, "http://images.cocodataset.org/train2017/000000000001.jpg");
  EXPECT_EQ(val.images[0].coco_url, "http://images.cocodataset.org/val2017/000000000001.jpg");
  // Images resolve through coco_url under DIR/images, as real LVIS does under a COCO root.
  EXPECT_EQ(fs::path(resolve_image_path(val.images[3], (root / "images").string())),
            root / "images" / "val2017" / "000000000004.jpg");

  // image_count / instance_count / frequency come from the train annotations.
  std::vector<std::set<std::int64_t>> images_of(train.categories.size());
  std::vector<std::int64_t> instances_of(train.categories.size(), 0);
  for (const auto& annotation : train.annotations) {
    images_of[annotation.category_id - 1].insert(annotation.image_id);
    instances_of[annotation.category_id - 1] += 1;
  }
  for (std::size_t c = 0; c < train.categories.size(); ++c) {
    const Category& category = train.categories[c];
    EXPECT_EQ(category.image_count, static_cast<std::int64_t>(images_of[c].size())) << category.name;
    EXPECT_EQ(category.instance_count, instances_of[c]) << category.name;
    const Frequency expected = category.image_count > 100 ? Frequency::frequent
                               : category.image_count > 10 ? Frequency::common
                                                           : Frequency::rare;
    EXPECT_EQ(category.frequency, expected) << category.name;
    EXPECT_GE(category.image_count, 1) << category.name;  // every category is in train
    EXPECT_EQ(val.categories[c].image_count, category.image_count);  // val carries train's table
  }

  for (const Dataset* dataset : {&train, &val}) {
    for (std::size_t i = 0; i < dataset->images.size(); ++i) {
      const auto& indexes = dataset->annotations_of_image(i);
      std::vector<std::uint8_t> owner(96 * 80, 0);
      for (std::uint32_t a : indexes) {
        const Annotation& annotation = dataset->annotations[a];
        const Rle mask = dataset->mask_of(annotation);
        // Polygons, area and bbox describe the same pixels.
        EXPECT_EQ(static_cast<double>(rle_area(mask)), annotation.area) << "annotation " << annotation.id;
        EXPECT_EQ(rle_to_box(mask), annotation.bbox) << "annotation " << annotation.id;
        EXPECT_GT(annotation.area, 0);
        // Visible regions of one image never overlap: an occluded instance gives up the hidden pixels.
        const auto pixels = rle_decode_row_major(mask);
        for (std::size_t p = 0; p < pixels.size(); ++p) {
          if (!pixels[p]) continue;
          EXPECT_EQ(owner[p], 0) << "annotation " << annotation.id << " overlaps another at pixel " << p;
          owner[p] = 1;
        }
      }
    }
  }
}

TEST(SyntheticWorld, ImagesAreRecreatedFromTheWorldDescription) {
  const fs::path root = shared_world();
  const WorldOptions options = load_world_options(root.string());
  EXPECT_EQ(options.to_json(), tiny_options().to_json());
  const Dataset val = load_dataset((root / "annotations" / "val.json").string());
  for (std::int64_t id : {1, 17, 40}) {
    const GeneratedImage again = render_world_image(options, Split::val, id);
    // The JPEG on disk is exactly the re-rendered image, compressed the same way.
    std::vector<std::uint8_t> encoded;
    cv::imencode(".jpg", again.image, encoded, {cv::IMWRITE_JPEG_QUALITY, options.jpeg_quality});
    std::ifstream file(root / "images" / "val2017" / world_image_file_name(id), std::ios::binary);
    const std::vector<std::uint8_t> on_disk((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    EXPECT_TRUE(encoded == on_disk) << "image " << id;
    // And its annotations are the written ones.
    const auto& indexes = val.annotations_of_image(static_cast<std::size_t>(*val.image_index(id)));
    ASSERT_EQ(indexes.size(), again.annotations.size());
    for (std::size_t k = 0; k < indexes.size(); ++k) {
      EXPECT_EQ(val.annotations[indexes[k]].id, again.annotations[k].id);
      EXPECT_EQ(val.annotations[indexes[k]].area, again.annotations[k].area);
    }
  }
}

TEST(SyntheticWorld, OcclusionIsPresentInTheWorld) {
  // Some instance must have lost pixels to a later one, or the occlusion checks above test nothing: the
  // visible area is then below the full area of its shape.
  const WorldOptions options = tiny_options();
  const auto& specs = default_category_specs();
  const SplitPlan plan = plan_split(options, specs, Split::train);
  int occluded = 0;
  for (const auto& image : plan.images) {
    const Scene scene = layout_scene(image, specs, options.width, options.height);
    const RenderedScene rendered = render_scene(scene, specs);
    for (std::size_t k = 0; k < scene.instances.size(); ++k) {
      const int full = cv::countNonZero(rendered.full_masks[k]);
      const int visible = cv::countNonZero(rendered.visible_masks[k]);
      EXPECT_GT(visible, 0);
      EXPECT_LE(visible, full);
      occluded += visible < full;
    }
  }
  EXPECT_GT(occluded, 5);
}

TEST(SyntheticWorld, BadOptionsAreClearErrors) {
  WorldOptions options = tiny_options();
  options.width = 0;
  try {
    generate_world(options, scratch("bad_size").string(), 1);
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("width = 0"), std::string::npos) << error.what();
  }
  EXPECT_FALSE(fs::exists(scratch("bad_size")));

  // A folder below a regular file cannot be created.
  const fs::path blocker = scratch("blocker");
  fs::create_directories(blocker.parent_path());
  std::ofstream(blocker) << "not a folder";
  try {
    generate_world(tiny_options(), (blocker / "world").string(), 1);
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("blocker"), std::string::npos) << error.what();
  }
  EXPECT_THROW(load_world_options(blocker.string()), InputError);
}

}  // namespace
}  // namespace counterscope::data::synthetic
