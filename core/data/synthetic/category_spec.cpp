#include "core/data/synthetic/category_spec.h"

#include <algorithm>

namespace counterscope::data::synthetic {
namespace {

using B = Background;
using S = ShapeFamily;
using P = Pattern;

struct Look {
  ShapeFamily shape;
  int points;
  double ratio;
  double aspect;
  double size;
  bool upright;
};

CategorySpec make(const std::string& name, const std::string& definition, Look look, Bgr primary, Bgr secondary,
                  Pattern pattern, double pattern_scale, Background context, int train_images,
                  const std::string& sibling = {}) {
  CategorySpec spec;
  spec.name = name;
  spec.synonyms = {name};
  spec.definition = definition;
  spec.shape = look.shape;
  spec.shape_points = look.points;
  spec.shape_ratio = look.ratio;
  spec.aspect = look.aspect;
  spec.size = look.size;
  spec.upright = look.upright;
  spec.primary = primary;
  spec.secondary = secondary;
  spec.pattern = pattern;
  spec.pattern_scale = pattern_scale;
  spec.context = context;
  spec.default_train_images = train_images;
  spec.sibling = sibling;
  return spec;
}

std::vector<CategorySpec> build_default_specs() {
  // Colours are BGR. Train-image counts follow a geometric decay inside each LVIS band at 2,000 train images:
  // frequent 450 -> 110 (> 100), common 95 -> 12 (11..100), rare 10 -> 1 (1..10).
  const Bgr white{238, 238, 238}, black{32, 32, 34}, red{45, 45, 205}, orange{25, 115, 240}, yellow{40, 210, 245};
  std::vector<CategorySpec> specs = {
      // ---- frequent ----
      make("lawn_mower", "a machine with rotating blades that cuts grass", {S::rectangle, 0, 0, 1.4, 1.1, true},
           red, {40, 40, 40}, P::two_tone, 1, B::grass, 450),
      make("sled", "a vehicle on runners for gliding over snow", {S::rounded_rectangle, 0, 0.5, 2.0, 1.0, false},
           {40, 60, 170}, {90, 140, 200}, P::stripes, 4, B::snow, 412),
      make("beach_ball", "an inflatable ball with coloured panels for playing on the beach",
           {S::ellipse, 0, 0, 1.0, 0.9, false}, red, white, P::segments, 6, B::sand, 377),
      make("soccer_ball", "a ball kicked in the game of football", {S::ellipse, 0, 0, 1.0, 0.7, false}, white,
           black, P::dots, 3, B::grass, 346),
      make("surfboard", "a long narrow board for riding waves", {S::capsule, 0, 0, 3.2, 1.2, false}, white,
           {200, 180, 30}, P::stripes, 1.5, B::water, 317),
      make("car_(automobile)", "a motor vehicle with four wheels",
           {S::rounded_rectangle, 0, 0.35, 1.8, 1.3, true}, {170, 80, 30}, {230, 190, 140}, P::gradient, 1,
           B::asphalt, 290),
      make("traffic_cone", "a cone-shaped marker placed on roads", {S::triangle, 0, 0, 0.75, 0.8, true}, orange,
           white, P::stripes, 3, B::asphalt, 265),
      make("ski", "a long narrow runner strapped to a boot for gliding over snow",
           {S::capsule, 0, 0, 6.0, 1.1, false}, {200, 120, 20}, {60, 200, 240}, P::gradient, 1, B::snow, 243),
      make("frisbee", "a plastic disc thrown between players", {S::ellipse, 0, 0, 1.0, 0.6, false},
           {0, 140, 255}, {0, 90, 200}, P::rings, 2, B::grass, 223),
      make("bucket", "an open container with a handle", {S::trapezoid, 0, 1.35, 0.9, 0.7, true}, yellow,
           {20, 150, 210}, P::gradient, 1, B::sand, 204),
      make("life_buoy", "a ring thrown to a person in the water to keep them afloat",
           {S::ring, 0, 0.55, 1.0, 0.8, false}, white, red, P::segments, 8, B::water, 187),
      make("snowman", "a figure built of packed snow", {S::ellipse, 0, 0, 0.7, 1.0, true}, {248, 246, 244},
           {40, 40, 40}, P::dots, 2.5, B::snow, 171),
      make("skateboard", "a short board on wheels", {S::capsule, 0, 0, 3.5, 0.9, false}, {40, 40, 45},
           {60, 170, 230}, P::mottled, 3, B::asphalt, 157),
      make("starfish", "a star-shaped sea animal with five arms", {S::star, 5, 0.45, 1.0, 0.7, false},
           {40, 110, 230}, {30, 70, 180}, P::mottled, 4, B::sand, 143),
      make("duck", "a small wild or domesticated swimming bird", {S::ellipse, 0, 0, 1.4, 0.6, false}, yellow,
           orange, P::gradient, 1, B::water, 131),
      make("chair", "a seat for one person with a back", {S::rectangle, 0, 0, 0.8, 1.0, true}, {30, 70, 120},
           {60, 110, 170}, P::stripes, 5, B::wood_floor, 120),
      make("plate", "a flat dish from which food is eaten", {S::ellipse, 0, 0, 1.15, 0.8, false},
           {245, 245, 245}, {195, 195, 200}, P::rings, 2, B::wood_floor, 110),
      // ---- common ----
      make("boat", "a small vessel for travel on water", {S::trapezoid, 0, 1.5, 2.2, 1.3, true}, {40, 70, 120},
           {230, 230, 230}, P::two_tone, 1, B::water, 95),
      make("seashell", "the hard outer shell of a sea animal", {S::crescent, 0, 0.5, 1.0, 0.5, false},
           {180, 190, 240}, {140, 150, 210}, P::stripes, 4, B::sand, 84),
      make("flowerpot", "a container in which plants are grown", {S::trapezoid, 0, 1.3, 0.9, 0.6, true},
           {60, 90, 190}, {40, 60, 140}, P::gradient, 1, B::grass, 74),
      make("manhole", "a covered opening in a road giving access to a sewer", {S::ellipse, 0, 0, 1.0, 0.9, false},
           {70, 75, 80}, {40, 45, 50}, P::checker, 5, B::asphalt, 66),
      make("mitten", "a glove with one section for the thumb and one for the fingers",
           {S::heart, 0, 0, 1.0, 0.5, false}, {40, 30, 190}, white, P::checker, 4, B::snow, 58),
      make("kayak", "a narrow boat propelled with a double-bladed paddle", {S::capsule, 0, 0, 5.0, 1.2, false},
           {20, 80, 240}, {20, 50, 170}, P::gradient, 1, B::water, 52),
      make("sandal", "a shoe held to the foot by straps", {S::capsule, 0, 0, 2.4, 0.55, false}, {40, 90, 150},
           black, P::two_tone, 1, B::sand, 46),
      make("clock", "a device showing the time", {S::regular_polygon, 12, 0, 1.0, 0.55, false}, white, black,
           P::segments, 12, B::wood_floor, 40),
      make("snowboard", "a board for sliding down snow slopes", {S::capsule, 0, 0, 3.4, 1.1, false},
           {150, 40, 120}, {230, 230, 230}, P::stripes, 3, B::snow, 36),
      make("bicycle", "a vehicle with two wheels driven by pedals", {S::cross, 0, 0.3, 1.0, 0.9, false},
           {60, 160, 40}, black, P::stripes, 2, B::asphalt, 32),
      make("buoy", "a floating marker anchored in water", {S::ellipse, 0, 0, 0.8, 0.6, true}, {20, 90, 250},
           white, P::stripes, 3, B::water, 28),
      make("garden_hose", "a flexible tube for watering a garden", {S::arc, 0, 0.7, 1.0, 0.8, false},
           {50, 170, 60}, {40, 210, 200}, P::stripes, 6, B::grass, 25),
      make("book", "pages bound between two covers", {S::rectangle, 0, 0, 0.72, 0.6, false}, {40, 30, 140},
           {200, 210, 220}, P::gradient, 1, B::wood_floor, 22),
      make("penguin", "a flightless black and white sea bird", {S::ellipse, 0, 0, 0.6, 0.7, true}, black, white,
           P::two_tone, 1, B::snow, 19),
      make("crab", "a sea animal with a broad shell and pincers", {S::star, 8, 0.6, 1.0, 0.6, false},
           {40, 50, 200}, {30, 30, 140}, P::mottled, 3, B::sand, 17),
      make("kite", "a light frame covered with cloth flown in the wind", {S::diamond, 0, 0, 0.8, 0.8, false},
           {180, 40, 220}, yellow, P::checker, 2, B::grass, 15),
      make("cushion", "a soft bag of cloth stuffed for sitting or leaning on",
           {S::rounded_rectangle, 0, 0.6, 1.2, 0.7, false}, {140, 60, 100}, {180, 110, 150}, P::mottled, 3,
           B::wood_floor, 14),
      make("tire", "a rubber ring around the rim of a wheel", {S::ring, 0, 0.45, 1.0, 0.8, false}, {35, 35, 35},
           {75, 75, 75}, P::segments, 16, B::asphalt, 12),
      // ---- rare: each resembles a frequent sibling and differs by a subtler cue ----
      make("brittle_star", "a sea animal like a starfish with long thin arms", {S::star, 5, 0.25, 1.0, 0.7, false},
           {40, 110, 230}, {30, 70, 180}, P::mottled, 4, B::sand, 10, "starfish"),
      make("toboggan", "a long narrow sled without runners", {S::rounded_rectangle, 0, 0.5, 2.0, 1.0, false},
           {40, 60, 170}, {90, 140, 200}, P::checker, 4, B::snow, 9, "sled"),
      make("volleyball", "a ball hit over a high net with the hands", {S::ellipse, 0, 0, 1.0, 0.7, false}, white,
           {170, 90, 30}, P::segments, 3, B::sand, 8, "soccer_ball"),
      make("minivan", "a small van for passengers", {S::rounded_rectangle, 0, 0.35, 1.6, 1.3, true},
           {170, 80, 30}, {230, 190, 140}, P::stripes, 3, B::asphalt, 7, "car_(automobile)"),
      make("bodyboard", "a short board ridden lying down on waves", {S::capsule, 0, 0, 2.0, 0.9, false}, white,
           {200, 180, 30}, P::stripes, 1.5, B::water, 6, "surfboard"),
      make("rubber_duck", "a small yellow toy duck that floats", {S::ellipse, 0, 0, 1.4, 0.45, false}, yellow,
           orange, P::dots, 3, B::water, 5, "duck"),
      make("tractor_(farm_equipment)", "a powerful vehicle for pulling farm machinery",
           {S::rectangle, 0, 0, 1.4, 1.2, true}, red, {40, 200, 240}, P::two_tone, 1, B::grass, 4, "lawn_mower"),
      make("ski_pole", "a pole used to push and balance while skiing", {S::capsule, 0, 0, 9.0, 0.9, false},
           {200, 120, 20}, {200, 120, 20}, P::solid, 1, B::snow, 4, "ski"),
      make("saucer", "a small shallow dish placed under a cup", {S::ellipse, 0, 0, 1.15, 0.55, false},
           {245, 245, 245}, {195, 195, 200}, P::rings, 3, B::wood_floor, 3, "plate"),
      make("bollard", "a short thick post that keeps vehicles off an area", {S::trapezoid, 0, 0.6, 0.6, 0.8, true},
           orange, white, P::stripes, 3, B::asphalt, 3, "traffic_cone"),
      make("parasol", "a large umbrella giving shade on a beach", {S::regular_polygon, 8, 0, 1.0, 1.0, false}, red,
           white, P::segments, 8, B::sand, 2, "beach_ball"),
      make("inner_tube", "an inflatable rubber ring used to float on water", {S::ring, 0, 0.55, 1.0, 0.8, false},
           red, {40, 40, 170}, P::mottled, 2, B::water, 2, "life_buoy"),
      make("pizza", "a flat round bread baked with toppings", {S::ellipse, 0, 0, 1.0, 0.6, false},
           {40, 150, 230}, {30, 60, 160}, P::dots, 3, B::wood_floor, 1, "frisbee"),
  };
  std::sort(specs.begin(), specs.end(),
            [](const CategorySpec& a, const CategorySpec& b) { return a.name < b.name; });
  return specs;
}

}  // namespace

const char* background_name(Background background) {
  switch (background) {
    case Background::grass: return "grass";
    case Background::snow: return "snow";
    case Background::sand: return "sand";
    case Background::water: return "water";
    case Background::asphalt: return "asphalt";
    case Background::wood_floor: return "wood_floor";
  }
  return "unknown";
}

std::optional<Background> background_from_name(const std::string& name) {
  for (int index = 0; index < background_count; ++index) {
    const auto background = static_cast<Background>(index);
    if (name == background_name(background)) return background;
  }
  return std::nullopt;
}

const std::vector<CategorySpec>& default_category_specs() {
  static const std::vector<CategorySpec> specs = build_default_specs();
  return specs;
}

std::optional<std::size_t> find_category(const std::vector<CategorySpec>& specs, const std::string& name) {
  for (std::size_t index = 0; index < specs.size(); ++index)
    if (specs[index].name == name) return index;
  return std::nullopt;
}

}  // namespace counterscope::data::synthetic
