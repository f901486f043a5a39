#pragma once
// Where an instance is and what outline it has: the pose of an instance (InstanceGeometry), the outline of
// its category's shape family at that pose, and its full (unoccluded) mask.

#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "core/data/synthetic/category_spec.h"

namespace counterscope::data::synthetic {

/// The pose of one instance. It does not depend on the category drawn there, so a counterfactual twin can
/// draw another category in exactly the same place, size and orientation.
struct InstanceGeometry {
  double center_x = 0, center_y = 0;  ///< pixels (pixel i spans [i, i + 1))
  double size = 1;                    ///< geometric mean of the object's width and height, pixels
  double angle = 0;                   ///< rotation, radians
  double aspect_jitter = 1;           ///< multiplies the category's aspect
  std::uint64_t seed = 0;             ///< seeds the instance's texture and colour jitter
};

/// Width and height of the unrotated object, in units of `size`.
cv::Point2d object_extent(const CategorySpec& spec, const InstanceGeometry& geometry);

/// The outline as closed loops in image coordinates; filled with the even-odd rule (a ring has two loops).
std::vector<std::vector<cv::Point2d>> instance_outline(const CategorySpec& spec, const InstanceGeometry& geometry);

/// The instance's full mask (CV_8U, 1 inside, 0 outside) in an image of width x height, clipped to the image.
cv::Mat rasterize_instance(const CategorySpec& spec, const InstanceGeometry& geometry, int width, int height);

/// Object-local coordinates of image point (x, y): unrotated, in units of `size`, origin at the centre.
cv::Point2d to_object_coordinates(const InstanceGeometry& geometry, double x, double y);

}  // namespace counterscope::data::synthetic
