#pragma once
// Run-length encoded binary masks, in the layout of the COCO mask API (pycocotools): the mask is read in
// column-major (Fortran) order, counts alternate runs of 0s and 1s, starting with 0s.

#include <cstdint>
#include <vector>

namespace counterscope::data {

/// An uncompressed COCO RLE.
struct Rle {
  std::uint32_t height = 0;
  std::uint32_t width = 0;
  std::vector<std::uint32_t> counts;  ///< alternating run lengths, first run is of zeros

  bool operator==(const Rle& other) const {
    return height == other.height && width == other.width && counts == other.counts;
  }
};

/// A box as COCO writes it: x, y, width, height.
struct BoxXywh {
  double x = 0, y = 0, w = 0, h = 0;
  bool operator==(const BoxXywh& o) const { return x == o.x && y == o.y && w == o.w && h == o.h; }
};

}  // namespace counterscope::data
