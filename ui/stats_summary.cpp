#include "ui/stats_summary.h"

#include <QLocale>

namespace counterscope::ui {

QString formatName(data::DatasetFormat format) {
  switch (format) {
    case data::DatasetFormat::lvis_v1: return QStringLiteral("LVIS v1");
    case data::DatasetFormat::lvis_v05: return QStringLiteral("LVIS v0.5");
    case data::DatasetFormat::coco: return QStringLiteral("COCO");
  }
  return QStringLiteral("unknown format");
}

QString statsSummary(const data::DatasetStats& stats) {
  const QLocale locale;
  auto number = [&](std::int64_t value) { return locale.toString(static_cast<qlonglong>(value)); };
  QString text = QStringLiteral("%1 · %2 images · %3 annotations · %4 categories")
                     .arg(formatName(stats.format), number(stats.total.images), number(stats.total.instances),
                          number(stats.total.categories));
  // COCO has no frequency groups: do not print a meaningless "r 0 · c 0 · f 0".
  if (stats.group(data::Frequency::unknown).categories != stats.total.categories) {
    text += QStringLiteral(" (r %1 · c %2 · f %3)")
                .arg(number(stats.group(data::Frequency::rare).categories),
                     number(stats.group(data::Frequency::common).categories),
                     number(stats.group(data::Frequency::frequent).categories));
  }
  return text;
}

}  // namespace counterscope::ui
