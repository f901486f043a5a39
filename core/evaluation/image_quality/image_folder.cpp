#include "core/evaluation/image_quality/image_folder.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <filesystem>
#include <set>
#include <system_error>
#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/util/error.h"
#include "core/util/threads.h"

namespace counterscope::evaluation {

namespace fs = std::filesystem;

std::vector<std::string> list_image_files(const std::string& folder) {
  static const std::set<std::string> extensions = {".bmp", ".jpg", ".jpeg", ".pgm", ".png",
                                                   ".ppm", ".tif", ".tiff", ".webp"};
  std::error_code error;
  if (!fs::is_directory(folder, error))
    throw InputError(folder, "", "", "not a folder (expected a folder of images)");
  std::vector<std::string> files;
  fs::directory_iterator it(folder, error);
  if (error) throw InputError(folder, "", "", "cannot list the folder: " + error.message());
  for (; it != fs::directory_iterator(); it.increment(error)) {
    if (error) throw InputError(folder, "", "", "cannot list the folder: " + error.message());
    if (!it->is_regular_file(error)) continue;
    std::string extension = it->path().extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (extensions.count(extension)) files.push_back(it->path().string());
  }
  if (files.empty())
    throw InputError(folder, "", "", "holds no image (bmp, jpg, jpeg, pgm, png, ppm, tif, tiff, webp)");
  std::sort(files.begin(), files.end());
  return files;
}

namespace {

DecodedImage decode_image(const std::string& path) {
  DecodedImage decoded;
  decoded.path = path;
  cv::Mat bgr;
  try {
    // IMREAD_COLOR: grey images are replicated to three channels and alpha is dropped, as PIL's convert("RGB").
    bgr = cv::imread(path, cv::IMREAD_COLOR);
  } catch (const cv::Exception& exception) {
    decoded.error = std::string("cannot decode: ") + exception.what();
    return decoded;
  }
  if (bgr.empty() || bgr.rows < 1 || bgr.cols < 1) {
    decoded.error = "cannot decode (not an image, truncated or unsupported format)";
    return decoded;
  }
  if (bgr.depth() != CV_8U) bgr.convertTo(bgr, CV_8U, 1.0 / 256.0);  // 16-bit files: keep the high byte
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  const auto hwc = torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8);
  decoded.image = hwc.permute({2, 0, 1}).to(torch::kFloat).div_(255.0f).contiguous();
  return decoded;
}

}  // namespace

std::vector<DecodedImage> decode_images(const std::vector<std::string>& paths, int threads) {
  std::vector<DecodedImage> decoded(paths.size());
  const int workers = static_cast<int>(std::min<std::size_t>(
      paths.size(), static_cast<std::size_t>(threads > 0 ? threads : hardware_thread_count())));
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < paths.size(); i = next++) decoded[i] = decode_image(paths[i]);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < workers; ++t) pool.emplace_back(work);
  work();
  for (auto& thread : pool) thread.join();
  return decoded;
}

}  // namespace counterscope::evaluation
