#pragma once
// The COCO mask API, bit-identical to pycocotools' maskApi.c: polygon rasterisation, the compressed RLE
// string codec, merge, area, toBbox and IoU. Checked against ../shared/refs/coco_mask/.

#include <cstdint>
#include <string>
#include <vector>

#include "core/data/mask/rle.h"

namespace counterscope::data {

/// One polygon as flat x0,y0,x1,y1,... coordinates (pycocotools' frPoly input).
using Polygon = std::vector<double>;

/// Rasterises one polygon (rleFrPoly). Throws InputError (naming `source`) for an odd coordinate count,
/// fewer than 3 points, non-finite coordinates or coordinates beyond +-1e8 (where pycocotools' int
/// conversions overflow). Degenerate polygons (collinear, repeated points, outside the image) give exactly
/// what pycocotools gives, usually an empty mask.
Rle rle_from_polygon(const double* xy, std::size_t coordinate_count, std::uint32_t height,
                     std::uint32_t width, const std::string& source = {});
/// Rasterises all polygons of an object and merges them (frPyObjects followed by merge(intersect=false)).
/// Throws InputError for an empty list or a bad polygon (field "polygons[i]").
Rle rle_from_polygons(const std::vector<Polygon>& polygons, std::uint32_t height, std::uint32_t width,
                      const std::string& source = {});
/// Rasterises a box x,y,w,h (rleFrBbox). Throws InputError for non-finite or huge values.
Rle rle_from_box(const BoxXywh& box, std::uint32_t height, std::uint32_t width,
                 const std::string& source = {});

/// Encodes a binary mask given in row-major order (mask[y * width + x] != 0 means foreground).
Rle rle_encode_row_major(const std::uint8_t* mask, std::uint32_t height, std::uint32_t width);
/// Decodes to a row-major 0/1 mask of height*width bytes. Throws InputError if the counts do not sum to
/// height*width.
std::vector<std::uint8_t> rle_decode_row_major(const Rle& rle);

/// Compressed RLE string (rleToString), as stored in COCO JSON under "counts".
std::string rle_to_string(const Rle& rle);
/// Parses a compressed RLE string (rleFrString). Throws InputError on malformed strings (`source`
/// names the file or field for the message) or when the counts do not sum to height*width.
Rle rle_from_string(const std::string& counts, std::uint32_t height, std::uint32_t width,
                    const std::string& source = {});
/// Validates an uncompressed counts list (sum must equal height*width). Throws InputError.
Rle rle_from_counts(std::vector<std::uint32_t> counts, std::uint32_t height, std::uint32_t width,
                    const std::string& source = {});

/// Union (intersect=false) or intersection (intersect=true) of masks of equal size (rleMerge). An empty
/// list gives a 0x0 mask, as in pycocotools. Throws InputError on a size mismatch or invalid counts.
Rle rle_merge(const std::vector<Rle>& rles, bool intersect);
/// Foreground pixel count (rleArea).
std::uint64_t rle_area(const Rle& rle);
/// Tight bounding box (rleToBbox).
BoxXywh rle_to_box(const Rle& rle);

/// IoU of two masks (rleIou); with `crowd_gt`, the union is the detection's area alone. O(runs), no
/// allocation. Throws InputError when the sizes differ (pycocotools returns -1 there) or a mask of an image
/// with pixels has no runs; the masks are trusted to be valid otherwise (every constructor above checks).
double rle_iou(const Rle& detection, const Rle& ground_truth, bool crowd_gt);
/// The same with the masks' boxes (rle_to_box) precomputed: pairs whose boxes do not overlap cost O(1), as
/// in pycocotools' box pre-check.
double rle_iou(const Rle& detection, const BoxXywh& detection_box, const Rle& ground_truth,
               const BoxXywh& ground_truth_box, bool crowd_gt);
/// IoU matrix, rows = detections, columns = ground truths, as pycocotools' iou(dt, gt, iscrowd):
/// element [d * ground_truths.size() + g]. `crowd` has one flag per ground truth (InputError otherwise).
/// Validates every mask once (sizes, counts summing to height*width) and computes every box once.
std::vector<double> rle_iou_matrix(const std::vector<Rle>& detections, const std::vector<Rle>& ground_truths,
                                   const std::vector<bool>& crowd);
/// Box IoU (bbIou), same conventions.
double box_iou(const BoxXywh& detection, const BoxXywh& ground_truth, bool crowd_gt);
std::vector<double> box_iou_matrix(const std::vector<BoxXywh>& detections,
                                   const std::vector<BoxXywh>& ground_truths, const std::vector<bool>& crowd);

}  // namespace counterscope::data
