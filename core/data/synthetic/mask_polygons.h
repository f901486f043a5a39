#pragma once
// Exact polygons of a binary mask in COCO's convention (pixel (x, y) spans [x, x+1) x [y, y+1)): every
// polygon follows pixel edges, so pycocotools' frPyObjects + merge rasterises the polygons back to exactly
// the mask. One polygon per 4-connected region; a region's holes are joined into its polygon through a
// bridge edge walked once in each direction, which the rasteriser's crossing parity cancels.

#include <vector>

#include <opencv2/core.hpp>

namespace counterscope::data::synthetic {

/// Polygons (flat x0,y0,x1,y1,... as COCO writes them) of the non-zero pixels of `mask` (CV_8U).
/// Collinear vertices are dropped; an empty mask gives no polygon.
std::vector<std::vector<double>> mask_to_polygons(const cv::Mat& mask);

}  // namespace counterscope::data::synthetic
