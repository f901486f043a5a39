// RLE <-> bit mask (rleEncode / rleDecode, but with row-major masks on our side) and the compressed
// "counts" string of COCO JSON (rleToString / rleFrString).

#include "core/data/mask/mask_api.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "core/data/mask/rle_checks.h"
#include "core/util/error.h"

namespace counterscope::data {
namespace {

// The string format is LEB128-like: 5 payload bits per character, bit 0x20 = "more characters follow",
// bit 0x10 of the last character = sign, characters offset by '0' (48..111). From the fourth run on, each
// run is stored as the difference to the run two places earlier (same value: both runs of 0s or of 1s).
constexpr int kCharOffset = 48;
constexpr int kPayloadBits = 5;
constexpr std::int64_t kPayloadMask = 0x1f;
constexpr std::int64_t kMoreFlag = 0x20;
constexpr std::int64_t kSignFlag = 0x10;
// A run is < 2^32 and a difference of two runs needs 33 bits plus a sign: 7 characters (35 bits).
constexpr int kMaxCharsPerValue = 7;

}  // namespace

Rle rle_encode_row_major(const std::uint8_t* mask, std::uint32_t height, std::uint32_t width) {
  detail::check_pixel_count(height, width, "mask");
  Rle rle;
  rle.height = height;
  rle.width = width;
  // Runs follow columns (COCO is column-major); the first run counts 0s and may be empty.
  bool value = false;
  std::uint32_t run = 0;
  for (std::uint32_t x = 0; x < width; ++x) {
    const std::uint8_t* pixel = mask + x;
    for (std::uint32_t y = 0; y < height; ++y, pixel += width) {
      const bool foreground = *pixel != 0;
      if (foreground != value) {
        rle.counts.push_back(run);
        run = 0;
        value = foreground;
      }
      ++run;
    }
  }
  rle.counts.push_back(run);
  return rle;
}

std::vector<std::uint8_t> rle_decode_row_major(const Rle& rle) {
  detail::check_pixel_count(rle.height, rle.width, "rle");
  detail::check_counts_cover_image(rle, "rle", "counts");
  std::vector<std::uint8_t> mask(detail::pixel_count(rle.height, rle.width), 0);
  if (mask.empty()) return mask;
  // Walk the column-major position as (x, y) to avoid a division per pixel.
  std::uint32_t x = 0, y = 0;
  for (std::size_t j = 0; j < rle.counts.size(); ++j) {
    std::uint32_t remaining = rle.counts[j];
    const bool foreground = j % 2 == 1;
    while (remaining > 0) {
      const std::uint32_t in_column = std::min(remaining, rle.height - y);
      if (foreground) {
        std::uint8_t* pixel = mask.data() + static_cast<std::size_t>(y) * rle.width + x;
        for (std::uint32_t k = 0; k < in_column; ++k, pixel += rle.width) *pixel = 1;
      }
      remaining -= in_column;
      y += in_column;
      if (y == rle.height) {
        y = 0;
        ++x;
      }
    }
  }
  return mask;
}

std::string rle_to_string(const Rle& rle) {
  std::string text;
  text.reserve(rle.counts.size() * 2);
  for (std::size_t i = 0; i < rle.counts.size(); ++i) {
    std::int64_t value = rle.counts[i];
    if (i > 2) value -= static_cast<std::int64_t>(rle.counts[i - 2]);
    bool more = true;
    while (more) {
      std::int64_t chunk = value & kPayloadMask;
      value >>= kPayloadBits;  // arithmetic shift: negative values end at -1
      more = (chunk & kSignFlag) ? value != -1 : value != 0;
      if (more) chunk |= kMoreFlag;
      text.push_back(static_cast<char>(chunk + kCharOffset));
    }
  }
  return text;
}

Rle rle_from_string(const std::string& counts, std::uint32_t height, std::uint32_t width,
                    const std::string& source) {
  detail::check_pixel_count(height, width, source);
  std::vector<std::uint32_t> runs;
  runs.reserve(counts.size());
  std::size_t p = 0;
  while (p < counts.size()) {
    const std::size_t value_start = p;
    std::int64_t value = 0;
    int k = 0;
    bool more = true;
    while (more) {
      if (p == counts.size()) {
        throw InputError(source, "counts", quote_for_message(counts),
                         "compressed RLE string ends inside a value (offset " + std::to_string(value_start) + ")");
      }
      const int code = static_cast<unsigned char>(counts[p]) - kCharOffset;
      if (code < 0 || code > 63) {
        throw InputError(source, "counts", quote_for_message(counts),
                         "character " + quote_for_message(std::string(1, counts[p])) + " at offset " +
                             std::to_string(p) + " is not a compressed RLE character ('0'..'o')");
      }
      if (k == kMaxCharsPerValue) {
        throw InputError(source, "counts", quote_for_message(counts),
                         "value at offset " + std::to_string(value_start) + " is longer than " +
                             std::to_string(kMaxCharsPerValue) + " characters");
      }
      value |= (code & kPayloadMask) << (kPayloadBits * k);
      more = (code & kMoreFlag) != 0;
      ++p;
      ++k;
      if (!more && (code & kSignFlag)) {
        value |= static_cast<std::int64_t>(~std::uint64_t{0} << (kPayloadBits * k));
      }
    }
    if (runs.size() > 2) value += runs[runs.size() - 2];
    if (value < 0 || value > std::numeric_limits<std::uint32_t>::max()) {
      throw InputError(source, "counts", quote_for_message(counts),
                       "run " + std::to_string(runs.size()) + " decodes to " + std::to_string(value) +
                           ", outside 0..2^32-1");
    }
    runs.push_back(static_cast<std::uint32_t>(value));
  }
  return rle_from_counts(std::move(runs), height, width, source);
}

Rle rle_from_counts(std::vector<std::uint32_t> counts, std::uint32_t height, std::uint32_t width,
                    const std::string& source) {
  detail::check_pixel_count(height, width, source);
  Rle rle;
  rle.height = height;
  rle.width = width;
  rle.counts = std::move(counts);
  detail::check_counts_cover_image(rle, source, "counts");
  return rle;
}

}  // namespace counterscope::data
