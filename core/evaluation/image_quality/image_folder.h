#pragma once
// Reading a folder of images for the image-quality metrics: which files count (pytorch-fid's extensions, not
// recursing into sub-folders) and decoding them, in parallel, into RGB tensors in [0, 1] — what pytorch-fid's
// PIL.Image.open(...).convert("RGB") + ToTensor() gives. An unreadable file among many is reported and skipped.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace counterscope::evaluation {

/// The image files directly inside `folder`, sorted by name: extensions bmp, jpg, jpeg, pgm, png, ppm, tif,
/// tiff, webp (pytorch-fid's list; here case-insensitive, so that photo.JPG counts too). Throws InputError when
/// `folder` is not a readable folder or holds no such file.
std::vector<std::string> list_image_files(const std::string& folder);

/// One decoded image, or why it could not be decoded.
struct DecodedImage {
  std::string path;
  torch::Tensor image;  ///< [3, H, W] float32 RGB in [0, 1]; undefined when decoding failed
  std::string error;    ///< why decoding failed (empty on success)
};

/// Decodes `paths` with up to `threads` threads (<= 0: all cores); never throws for a bad file.
std::vector<DecodedImage> decode_images(const std::vector<std::string>& paths, int threads);

}  // namespace counterscope::evaluation
