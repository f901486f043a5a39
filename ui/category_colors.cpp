#include "ui/category_colors.h"

#include <array>
#include <cmath>

namespace counterscope::ui {

QColor categoryColor(std::int64_t categoryId) {
  // Golden-angle hue steps keep neighbouring ids (often related classes) visually distinct; three
  // saturation/value levels multiply the distinct colours.
  const double hue = std::fmod(static_cast<double>(categoryId) * 0.618033988749895, 1.0);
  static constexpr std::array<double, 3> saturation{0.72, 0.55, 0.85};
  static constexpr std::array<double, 3> value{0.95, 0.85, 0.75};
  const auto level = static_cast<std::size_t>(((categoryId % 3) + 3) % 3);
  return QColor::fromHsvF(static_cast<float>(hue < 0 ? hue + 1.0 : hue), static_cast<float>(saturation[level]),
                          static_cast<float>(value[level]));
}

QColor frequencyColor(data::Frequency frequency) {
  switch (frequency) {
    case data::Frequency::rare: return QColor(0xe5, 0x48, 0x4d);
    case data::Frequency::common: return QColor(0xf0, 0xa2, 0x02);
    case data::Frequency::frequent: return QColor(0x3b, 0xb2, 0x73);
    case data::Frequency::unknown: break;
  }
  return QColor(0x8b, 0x93, 0x9e);
}

}  // namespace counterscope::ui
