// Bad annotation files never crash and never half-load: each gives an InputError naming the file, the JSON
// path (or id) and the value found there.

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/data/lvis/lvis_loader.h"
#include "tests/data/lvis/lvis_fixtures.h"

namespace counterscope::data {
namespace {

using nlohmann::json;
using testing::input_error_of;
using testing::lvis_v05_100_path;
using testing::minimal_lvis_v1;
using testing::scratch_dir;
using testing::write_text;

class LvisBadInput : public ::testing::Test {
 protected:
  void SetUp() override { m_dir = scratch_dir(::testing::UnitTest::GetInstance()->current_test_info()->name()); }

  /// Loads `text` from a file and returns the InputError message, which must name the file.
  std::string error_for_text(const std::string& text) {
    const std::string path = write_text(m_dir, "bad.json", text);
    const std::string message = input_error_of([&] { load_dataset(path); });
    EXPECT_NE(message.find(path), std::string::npos) << message;
    return message;
  }
  std::string error_for(const json& doc) { return error_for_text(doc.dump()); }

  std::string m_dir;
};

#define EXPECT_CONTAINS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

TEST_F(LvisBadInput, TruncatedFile) {
  std::ifstream file(lvis_v05_100_path(), std::ios::binary);
  std::stringstream whole;
  whole << file.rdbuf();
  const std::string text = whole.str();
  // The real file holds categories, then annotations: half of it ends inside the annotations.
  const std::string half = error_for_text(text.substr(0, text.size() / 2));
  EXPECT_CONTAINS(half, "annotations[");
  EXPECT_CONTAINS(half, "truncated");
  EXPECT_CONTAINS(error_for_text(text.substr(0, 1)), "truncated");
  EXPECT_CONTAINS(error_for_text(text.substr(0, 5)), "truncated");  // inside the first key
  EXPECT_CONTAINS(error_for_text(text.substr(0, text.size() - 1)), "truncated");
  EXPECT_CONTAINS(error_for_text(R"({"images": [)"), "truncated");
  EXPECT_CONTAINS(error_for_text(R"({"images": [], "categories": [])"), "truncated");
}

TEST_F(LvisBadInput, NotJson) {
  EXPECT_CONTAINS(error_for_text(""), "empty");
  EXPECT_CONTAINS(error_for_text("   \n"), "empty");
  const std::string hello = error_for_text("hello world");
  EXPECT_CONTAINS(hello, "not a JSON object");
  EXPECT_CONTAINS(hello, "\"hello world\"");
  EXPECT_CONTAINS(error_for_text("[1, 2, 3]"), "not a JSON object");
  EXPECT_CONTAINS(error_for_text(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)), "not a JSON object");
  EXPECT_CONTAINS(error_for_text(R"({"images": [], "categories": []} extra)"), "unexpected content");
  EXPECT_CONTAINS(error_for_text(R"({"images" [], "categories": []})"), "expected ':'");
  EXPECT_CONTAINS(error_for_text(R"({"images": [] "categories": []})"), "expected ',' or '}'");
  EXPECT_CONTAINS(error_for_text(R"({"images": [{"id": 1,}], "categories": []})"), "images[0]");
  EXPECT_CONTAINS(error_for_text(R"({"images": [], "categories": [], "info": {"a": nope}})"), "info");
  EXPECT_CONTAINS(error_for_text(R"({"images": [], "categories": [], "licenses": [{"id": 1}, {"id": 1.2.3}]})"),
                  "licenses[1].id");
  EXPECT_CONTAINS(error_for_text(R"({"images": [], "categories": [], "note": "bad \q escape"})"), "note");
  EXPECT_CONTAINS(error_for_text(R"({"images": [], "categories": [], "info": nope})"), "info");
  const std::string trailing = error_for_text(R"({"images": [], "categories": [{"id": 1, "name": "a"},]})");
  EXPECT_CONTAINS(trailing, "categories[1]");
}

TEST_F(LvisBadInput, WrongTypes) {
  json doc = minimal_lvis_v1();
  doc["images"][1]["width"] = "640";
  const std::string width = error_for(doc);
  EXPECT_CONTAINS(width, "images[1].width = \"\"640\"\": expected an integer, found a string");

  doc = minimal_lvis_v1();
  doc["annotations"][2]["category_id"] = 1.5;
  EXPECT_CONTAINS(error_for(doc), "annotations[2].category_id = \"1.5\": expected an integer");

  doc = minimal_lvis_v1();
  doc["annotations"][0]["bbox"] = "box";
  EXPECT_CONTAINS(error_for(doc), "annotations[0].bbox");

  doc = minimal_lvis_v1();
  doc["annotations"][0]["bbox"] = {1, 2, 3};
  EXPECT_CONTAINS(error_for(doc), "annotations[0].bbox = 3 numbers");

  doc = minimal_lvis_v1();
  doc["annotations"][1]["segmentation"] = 5;
  EXPECT_CONTAINS(error_for(doc), "annotations[1].segmentation = \"5\": expected a list of polygons or an RLE");

  doc = minimal_lvis_v1();
  doc["annotations"][1]["segmentation"][1][2] = "x";
  EXPECT_CONTAINS(error_for(doc), "annotations[1].segmentation[1][2]");

  for (const char* bad : {"01", "1.", ".5", "+1", "1e", "--1", "0x10", "1e999", "true"}) {
    std::string text = minimal_lvis_v1().dump();
    text.replace(text.find("20.0,2.0"), 4, bad);
    EXPECT_CONTAINS(error_for_text(text), "annotations[0].segmentation[0][2]") << bad;
  }

  doc = minimal_lvis_v1();
  doc["categories"][2]["frequency"] = "often";
  EXPECT_CONTAINS(error_for(doc), "categories[2].frequency = \"often\": expected \"r\", \"c\" or \"f\"");

  doc = minimal_lvis_v1();
  doc["categories"][0]["synonyms"] = {"acorn", 7};
  EXPECT_CONTAINS(error_for(doc), "categories[0].synonyms[1] = \"7\": expected a string");

  doc = minimal_lvis_v1();
  doc["images"] = {{"id", 1}};
  const std::string images = error_for(doc);
  EXPECT_CONTAINS(images, "images = \"{\"id\":1}");
  EXPECT_CONTAINS(images, "expected an array");

  doc = minimal_lvis_v1();
  doc["images"][0]["height"] = 0;
  EXPECT_CONTAINS(error_for(doc), "images[0].height = 0: must be a positive image size");

  doc = minimal_lvis_v1();
  doc["annotations"][0]["area"] = -3.0;
  EXPECT_CONTAINS(error_for(doc), "annotations[0].area");

  doc = minimal_lvis_v1();
  doc["annotations"][0]["bbox"] = {0, 0, -1, 5};
  EXPECT_CONTAINS(error_for(doc), "annotations[0].bbox");

  doc = minimal_lvis_v1();
  doc["annotations"][0]["iscrowd"] = 2;
  EXPECT_CONTAINS(error_for(doc), "annotations[0].iscrowd = 2");

  // Python's json.dump writes NaN, which is not JSON.
  std::string text = minimal_lvis_v1().dump();
  text.replace(text.find("\"area\":180.0"), 12, "\"area\":NaN");
  EXPECT_CONTAINS(error_for_text(text), "annotations[0].area");
}

TEST_F(LvisBadInput, MissingRequiredFields) {
  json doc = minimal_lvis_v1();
  doc["annotations"][1].erase("bbox");
  EXPECT_CONTAINS(error_for(doc), "annotations[1].bbox: missing");

  doc = minimal_lvis_v1();
  doc["annotations"][2].erase("segmentation");
  EXPECT_CONTAINS(error_for(doc), "annotations[2].segmentation: missing");

  doc = minimal_lvis_v1();
  doc["images"][0].erase("id");
  EXPECT_CONTAINS(error_for(doc), "images[0].id: missing");

  doc = minimal_lvis_v1();
  doc["images"][0].erase("coco_url");
  EXPECT_CONTAINS(error_for(doc), "images[0]: the image has neither");

  doc = minimal_lvis_v1();
  doc["categories"][1].erase("name");
  EXPECT_CONTAINS(error_for(doc), "categories[1].name: missing");

  doc = minimal_lvis_v1();
  doc.erase("images");
  EXPECT_CONTAINS(error_for(doc), "images: missing");

  doc = minimal_lvis_v1();
  doc["images"][1].erase("neg_category_ids");
  EXPECT_CONTAINS(error_for(doc), "images[1].neg_category_ids: missing (required in LVIS files)");

  doc = minimal_lvis_v1();
  doc["categories"][1].erase("frequency");
  EXPECT_CONTAINS(error_for(doc), "categories[1].frequency: missing, while other categories have one");

  doc = minimal_lvis_v1();
  doc["annotations"][0]["segmentation"] = {{"counts", "abc"}};
  EXPECT_CONTAINS(error_for(doc), "annotations[0].segmentation.size: missing");
}

TEST_F(LvisBadInput, UnknownIds) {
  json doc = minimal_lvis_v1();
  doc["annotations"][2]["image_id"] = 999;
  EXPECT_CONTAINS(error_for(doc), "annotations[2].image_id = 999: no image has this id");

  doc = minimal_lvis_v1();
  doc["annotations"][0]["category_id"] = 77;
  EXPECT_CONTAINS(error_for(doc), "annotations[0].category_id = 77: no category has this id");

  doc = minimal_lvis_v1();
  doc["images"][0]["neg_category_ids"] = {3, 42};
  EXPECT_CONTAINS(error_for(doc), "images[0].neg_category_ids[1] = 42: no category has this id");

  doc = minimal_lvis_v1();
  doc["images"][1]["not_exhaustive_category_ids"] = {43};
  EXPECT_CONTAINS(error_for(doc), "images[1].not_exhaustive_category_ids[0] = 43");
}

TEST_F(LvisBadInput, DuplicateIdsAndKeys) {
  json doc = minimal_lvis_v1();
  doc["images"][1]["id"] = 10;
  EXPECT_CONTAINS(error_for(doc), "images[1].id = 10: duplicate image id (also images[0])");

  doc = minimal_lvis_v1();
  doc["categories"][2]["id"] = 1;
  EXPECT_CONTAINS(error_for(doc), "categories[2].id = 1: duplicate category id (also categories[0])");

  doc = minimal_lvis_v1();
  doc["annotations"][2]["id"] = 1;
  EXPECT_CONTAINS(error_for(doc), "annotations[2].id = 1: duplicate annotation id (also annotations[0])");

  std::string text = minimal_lvis_v1().dump();
  text.replace(text.find("\"area\":180.0"), 12, "\"area\":180.0,\"area\":7");
  EXPECT_CONTAINS(error_for_text(text), "annotations[0].area: duplicate key");

  text = minimal_lvis_v1().dump();
  text.insert(text.size() - 1, ",\"images\":[]");
  EXPECT_CONTAINS(error_for_text(text), "images: duplicate top-level key");
}

TEST_F(LvisBadInput, EmptyOrDegeneratePolygons) {
  json doc = minimal_lvis_v1();
  doc["annotations"][0]["segmentation"] = json::array();
  EXPECT_CONTAINS(error_for(doc), "annotations[0].segmentation = []: empty segmentation");

  doc = minimal_lvis_v1();
  doc["annotations"][1]["segmentation"][1] = json::array();
  EXPECT_CONTAINS(error_for(doc), "annotations[1].segmentation[1] = 0 coordinates: degenerate polygon");

  doc = minimal_lvis_v1();
  doc["annotations"][2]["segmentation"][0] = {1.0, 2.0, 3.0, 4.0};
  EXPECT_CONTAINS(error_for(doc), "annotations[2].segmentation[0] = 4 coordinates: degenerate polygon");

  doc = minimal_lvis_v1();
  doc["annotations"][2]["segmentation"][0] = {1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0};
  EXPECT_CONTAINS(error_for(doc), "annotations[2].segmentation[0] = 7 coordinates");
}

TEST_F(LvisBadInput, InvalidRle) {
  json doc = minimal_lvis_v1();
  doc["annotations"][0]["segmentation"] = {{"size", {48, 64}}, {"counts", "!!not-rle"}};
  EXPECT_CONTAINS(error_for(doc), "annotations[0].segmentation.counts = \"!!not-rle\": invalid RLE");

  doc = minimal_lvis_v1();
  doc["annotations"][0]["segmentation"] = {{"size", {48, 64}}, {"counts", {10, 20}}};
  EXPECT_CONTAINS(error_for(doc), "annotations[0].segmentation.counts: invalid RLE");

  doc = minimal_lvis_v1();
  doc["annotations"][0]["segmentation"] = {{"size", {4, 4}}, {"counts", {10, 6}}};
  EXPECT_CONTAINS(error_for(doc), "annotations[0].segmentation.size = [4, 4]: differs from the image's size [48, 64]");
}

TEST_F(LvisBadInput, NonUtf8Name) {
  std::string text = minimal_lvis_v1().dump();
  const std::size_t at = text.find("\"dog\"");
  text.replace(at, 5, "\"d\xFF\xFEg\"");
  const std::string message = error_for_text(text);
  EXPECT_CONTAINS(message, "categories[2].name");
  EXPECT_CONTAINS(message, "d\\xFF\\xFEg");
  EXPECT_CONTAINS(message, "not valid UTF-8");

  text = minimal_lvis_v1().dump();
  text.replace(text.find("\"a dog\""), 7, std::string("\"a \x01 dog\""));
  EXPECT_CONTAINS(error_for_text(text), "categories[2].def");
}

TEST_F(LvisBadInput, MissingOrUnreadableFile) {
  const std::string missing = m_dir + "/does_not_exist.json";
  EXPECT_CONTAINS(input_error_of([&] { load_dataset(missing); }), missing + ": cannot open the file");
  EXPECT_CONTAINS(input_error_of([&] { load_dataset(m_dir); }), "not a regular file");
}

}  // namespace
}  // namespace counterscope::data
