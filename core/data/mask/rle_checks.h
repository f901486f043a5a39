#pragma once
// Input checks shared by the mask API's translation units (internal; not part of the public API).
// pycocotools checks almost nothing and reads out of bounds on bad input; we throw InputError instead.

#include <cstdint>
#include <limits>
#include <string>

#include "core/data/mask/rle.h"
#include "core/util/error.h"

namespace counterscope::data::detail {

/// Number of pixels, as the 64-bit value it really is.
inline std::uint64_t pixel_count(std::uint32_t height, std::uint32_t width) {
  return static_cast<std::uint64_t>(height) * width;
}

/// Text "HxW" for error messages.
inline std::string size_text(std::uint32_t height, std::uint32_t width) {
  return std::to_string(height) + "x" + std::to_string(width);
}

/// The COCO API stores run lengths and pixel positions as 32-bit unsigned integers, so an image must have
/// fewer than 2^32 pixels.
inline void check_pixel_count(std::uint32_t height, std::uint32_t width, const std::string& source) {
  if (pixel_count(height, width) > std::numeric_limits<std::uint32_t>::max()) {
    throw InputError(source, "size", size_text(height, width),
                     "height*width exceeds the 32-bit pixel count of the COCO mask API");
  }
}

/// Sum of all run lengths.
inline std::uint64_t counts_sum(const Rle& rle) {
  std::uint64_t sum = 0;
  for (std::uint32_t run : rle.counts) sum += run;
  return sum;
}

/// Throws unless the runs cover exactly height*width pixels (an RLE that would make pycocotools read or
/// write out of bounds).
inline void check_counts_cover_image(const Rle& rle, const std::string& source, const std::string& field) {
  const std::uint64_t sum = counts_sum(rle);
  if (sum != pixel_count(rle.height, rle.width)) {
    throw InputError(source, field, "sum " + std::to_string(sum),
                     "run lengths must sum to height*width = " + std::to_string(rle.height) + "*" +
                         std::to_string(rle.width) + " = " +
                         std::to_string(pixel_count(rle.height, rle.width)));
  }
}

}  // namespace counterscope::data::detail
