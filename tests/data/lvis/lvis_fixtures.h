#pragma once
// Shared helpers of the data/lvis tests: scratch files and a small valid LVIS document to break on purpose.

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/util/error.h"
#include "tests/test_paths.h"

namespace counterscope::data::testing {

inline const std::string& lvis_v05_100_path() {
  static const std::string path = std::string(COUNTERSCOPE_REFS_DIR) + "/lvis/lvis_v0.5_val_100.json";
  return path;
}

/// A fresh scratch folder for one test.
inline std::string scratch_dir(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::path(COUNTERSCOPE_TEST_TMP_DIR) / "data_lvis" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

inline std::string write_text(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string path = dir + "/" + name;
  std::ofstream out(path, std::ios::binary);
  out << text;
  return path;
}

/// A small valid LVIS v1 document: 2 images, 3 categories (r, c, f), 3 polygon annotations.
inline nlohmann::json minimal_lvis_v1() {
  using nlohmann::json;
  json doc;
  doc["info"] = {{"description", "test"}, {"year", 2020}};
  doc["licenses"] = json::array({{{"id", 1}, {"name", "x"}}});
  doc["images"] = json::array(
      {{{"id", 10}, {"width", 64}, {"height", 48}, {"coco_url", "http://images.cocodataset.org/val2017/000000000010.jpg"},
        {"neg_category_ids", {3}}, {"not_exhaustive_category_ids", json::array()}, {"license", 1}},
       {{"id", 11}, {"width", 32}, {"height", 32}, {"coco_url", "http://images.cocodataset.org/train2017/000000000011.jpg"},
        {"neg_category_ids", json::array()}, {"not_exhaustive_category_ids", {1}}}});
  doc["categories"] = json::array(
      {{{"id", 1}, {"name", "acorn"}, {"synonyms", {"acorn"}}, {"def", "nut from an oak tree"}, {"synset", "acorn.n.01"},
        {"frequency", "r"}, {"image_count", 1}, {"instance_count", 1}},
       {{"id", 2}, {"name", "crème brûlée"}, {"synonyms", {"creme_brulee"}}, {"def", "a custard"}, {"synset", "x.n.01"},
        {"frequency", "c"}, {"image_count", 1}, {"instance_count", 1}},
       {{"id", 3}, {"name", "dog"}, {"synonyms", {"dog", "domestic_dog"}}, {"def", "a dog"}, {"synset", "dog.n.01"},
        {"frequency", "f"}, {"image_count", 2}, {"instance_count", 1}}});
  doc["annotations"] = json::array(
      {{{"id", 1}, {"image_id", 10}, {"category_id", 1}, {"segmentation", {{1.5, 2.0, 20.0, 2.0, 20.0, 12.25, 1.5, 12.25}}},
        {"area", 180.0}, {"bbox", {1.5, 2.0, 18.5, 10.25}}},
       {{"id", 2}, {"image_id", 10}, {"category_id", 2},
        {"segmentation", {{30.0, 30.0, 40.0, 30.0, 35.0, 40.0}, {50.0, 5.0, 60.0, 5.0, 55.0, 15.0}}},
        {"area", 100.0}, {"bbox", {30.0, 5.0, 30.0, 35.0}}},
       {{"id", 3}, {"image_id", 11}, {"category_id", 3}, {"segmentation", {{0.0, 0.0, 31.0, 0.0, 31.0, 31.0}}},
        {"area", 480.5}, {"bbox", {0.0, 0.0, 31.0, 31.0}}}});
  return doc;
}

/// Runs `action`, which must throw counterscope::InputError; returns its message (empty and a test failure
/// otherwise).
inline std::string input_error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const InputError& error) {
    return error.what();
  } catch (const std::exception& error) {
    ADD_FAILURE() << "expected an InputError, got another exception: " << error.what();
    return {};
  }
  ADD_FAILURE() << "expected an InputError, nothing was thrown";
  return {};
}

}  // namespace counterscope::data::testing
