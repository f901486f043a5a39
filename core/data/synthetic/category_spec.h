#pragma once
// The categories and backgrounds of the synthetic long-tailed world: what each class looks like (shape family,
// colours, surface pattern, aspect, size), where it usually appears (its context background) and how many train
// images it is planned in at the default world size (which sets its place in the long tail).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace counterscope::data::synthetic {

/// The scene backgrounds (contexts), each procedurally textured (background_texture.h).
enum class Background : std::uint8_t { grass, snow, sand, water, asphalt, wood_floor };
constexpr int background_count = 6;

const char* background_name(Background background);
/// Parses "grass", "snow", ...; std::nullopt for an unknown name.
std::optional<Background> background_from_name(const std::string& name);

/// Outline families; the outline is defined in a unit box and scaled by the instance's size and aspect.
enum class ShapeFamily : std::uint8_t {
  ellipse,            ///< 64-gon
  rectangle,
  rounded_rectangle,  ///< corner radius = shape_ratio * half the short side
  capsule,            ///< a rectangle with fully round ends
  triangle,           ///< isosceles, apex up
  trapezoid,          ///< top edge = shape_ratio * bottom edge
  star,               ///< shape_points points, inner radius = shape_ratio * outer
  ring,               ///< annulus, inner radius = shape_ratio * outer (a hole in the mask)
  arc,                ///< an open ring ("C"), gap of 70 degrees at the right
  regular_polygon,    ///< shape_points sides
  cross,              ///< plus sign, arm width = shape_ratio
  crescent,           ///< a disc minus a disc shifted by shape_ratio of the radius
  diamond,
  heart,
};

/// How the object's surface mixes its primary and secondary colour (pattern_scale = repetitions per size).
enum class Pattern : std::uint8_t {
  solid,
  stripes,    ///< bands across the object's long axis
  dots,       ///< a grid of round dots
  checker,
  rings,      ///< concentric bands
  gradient,   ///< primary at the top to secondary at the bottom
  mottled,    ///< smooth noise blotches
  two_tone,   ///< upper half primary, lower half secondary
  segments,   ///< angular sectors around the centre (pattern_scale sectors)
};

/// A colour in OpenCV's BGR order.
struct Bgr {
  std::uint8_t b = 0, g = 0, r = 0;
};

struct CategorySpec {
  std::string name;                   ///< LVIS-style snake_case name
  std::vector<std::string> synonyms;  ///< name first, as LVIS writes them
  std::string definition;             ///< "def"
  ShapeFamily shape = ShapeFamily::ellipse;
  int shape_points = 0;     ///< star points / polygon sides
  double shape_ratio = 0;   ///< family-specific proportion (see ShapeFamily)
  double aspect = 1;        ///< width / height of the unrotated object
  double size = 1;          ///< typical size relative to the world's base object size
  bool upright = false;     ///< rotated by at most 20 degrees (cars, chairs) instead of freely
  Bgr primary, secondary;
  Pattern pattern = Pattern::solid;
  double pattern_scale = 1;
  Background context = Background::grass;  ///< the background it appears on most of the time
  /// Train images showing the category in the default world (2,000 train images); scaled with the world size.
  int default_train_images = 1;
  /// The frequent category this one is made to resemble ("" if none): same shape family, close colours, and a
  /// subtler cue (pattern, proportions) that tells them apart. Rare classes have one, so a model trained on
  /// the long tail confuses them with their sibling.
  std::string sibling;
};

/// The default categories (48: 17 frequent, 18 common, 13 rare at the default size), sorted by name; category
/// id = position + 1, as LVIS numbers its alphabetically sorted categories.
const std::vector<CategorySpec>& default_category_specs();

/// Position of the category called `name` in `specs`, or std::nullopt.
std::optional<std::size_t> find_category(const std::vector<CategorySpec>& specs, const std::string& name);

}  // namespace counterscope::data::synthetic
