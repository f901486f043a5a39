#include "core/data/lvis/image_paths.h"

#include <cstdio>
#include <filesystem>
#include <system_error>
#include <vector>

#include "core/util/error.h"

namespace counterscope::data {
namespace {

namespace fs = std::filesystem;

std::string last_part(const std::string& text) {
  const std::size_t slash = text.find_last_of('/');
  return slash == std::string::npos ? text : text.substr(slash + 1);
}

// "http://images.cocodataset.org/val2017/000000196141.jpg" -> "val2017"
std::string url_folder(const std::string& url) {
  const std::size_t slash = url.find_last_of('/');
  if (slash == std::string::npos || slash == 0) return {};
  const std::size_t previous = url.find_last_of('/', slash - 1);
  return url.substr(previous == std::string::npos ? 0 : previous + 1, slash - (previous == std::string::npos ? 0 : previous + 1));
}

bool is_digits(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string zero_padded_id(std::int64_t id) {
  char text[32];
  std::snprintf(text, sizeof(text), "%012lld", static_cast<long long>(id));
  return text;
}

void add(std::vector<std::string>& candidates, const fs::path& path) {
  const std::string text = path.lexically_normal().string();
  for (const std::string& existing : candidates) {
    if (existing == text) return;
  }
  candidates.push_back(text);
}

// The places where one image root may hold the image, most specific first.
std::vector<std::string> candidate_paths(const ImageInfo& image, const fs::path& root) {
  std::vector<std::string> candidates;
  const char* splits[] = {"train2017", "val2017"};
  if (!image.coco_url.empty()) {
    // LVIS v1: COCO 2017 layout, the folder and the name are the URL's last two parts.
    const std::string name = last_part(image.coco_url);
    const std::string folder = url_folder(image.coco_url);
    if (!folder.empty()) {
      add(candidates, root / folder / name);
      add(candidates, root / "images" / folder / name);  // COCO's usual "images/val2017" layout
    }
    for (const char* split : splits) add(candidates, root / split / name);
    add(candidates, root / name);
  }
  if (!image.file_name.empty()) {
    // v0.5 / COCO file_name, possibly with its split folder ("val2014/COCO_val2014_...jpg").
    add(candidates, root / image.file_name);
    const std::string name = last_part(image.file_name);
    add(candidates, root / name);
    // COCO 2014 names "COCO_val2014_000000000139.jpg" become 2017 names "000000000139.jpg" (as lvis-api and
    // detectron2 do): the last 16 characters.
    if (name.size() > 16 && name.compare(0, 5, "COCO_") == 0) {
      const std::string name_2017 = name.substr(name.size() - 16);
      const std::size_t underscore = name.find('_', 5);
      if (underscore != std::string::npos) {
        const std::string split_2014 = name.substr(5, underscore - 5);  // "val2014"
        add(candidates, root / split_2014 / name);
        if (split_2014.size() > 4) add(candidates, root / (split_2014.substr(0, split_2014.size() - 4) + "2017") / name_2017);
      }
      for (const char* split : splits) {
        add(candidates, root / split / name_2017);
        add(candidates, root / "images" / split / name_2017);
      }
      add(candidates, root / name_2017);
    }
    const std::size_t dot = name.find_last_of('.');
    if (dot != std::string::npos && is_digits(name.substr(0, dot))) {
      for (const char* split : splits) add(candidates, root / split / name);
    }
  }
  // A plain folder of images named by id.
  for (const std::string& stem : {zero_padded_id(image.id), std::to_string(image.id)}) {
    for (const char* extension : {".jpg", ".png", ".jpeg"}) add(candidates, root / (stem + extension));
  }
  return candidates;
}

}  // namespace

std::string resolve_image_path(const ImageInfo& image, const std::string& image_root) {
  const std::vector<std::string> candidates = candidate_paths(image, fs::path(image_root));
  for (const std::string& candidate : candidates) {
    std::error_code error;
    if (fs::is_regular_file(candidate, error)) return candidate;
  }
  std::string tried;
  for (std::size_t i = 0; i < candidates.size() && i < 6; ++i) tried += (i ? ", " : "") + candidates[i];
  if (candidates.size() > 6) tried += ", ...";
  const std::string value = !image.coco_url.empty() ? image.coco_url : image.file_name;
  throw InputError(image_root, "image " + std::to_string(image.id), quote_for_message(value),
                   "no image file found under the image root (tried " + tried + ")");
}

}  // namespace counterscope::data
