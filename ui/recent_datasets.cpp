#include "ui/recent_datasets.h"

#include <QSettings>

namespace counterscope::ui {

namespace {

const QString arrayKey = QStringLiteral("recentDatasets");
const QString annotationKey = QStringLiteral("annotationPath");
const QString imageRootKey = QStringLiteral("imageRoot");

void save(const QList<DatasetSource>& sources) {
  QSettings settings;
  settings.remove(arrayKey);
  settings.beginWriteArray(arrayKey, static_cast<int>(sources.size()));
  for (int i = 0; i < sources.size(); ++i) {
    settings.setArrayIndex(i);
    settings.setValue(annotationKey, sources[i].annotationPath);
    settings.setValue(imageRootKey, sources[i].imageRoot);
  }
  settings.endArray();
}

}  // namespace

QList<DatasetSource> RecentDatasets::load() {
  QSettings settings;
  QList<DatasetSource> sources;
  const int count = settings.beginReadArray(arrayKey);
  for (int i = 0; i < count && sources.size() < maximumCount; ++i) {
    settings.setArrayIndex(i);
    DatasetSource source{settings.value(annotationKey).toString(), settings.value(imageRootKey).toString()};
    if (!source.annotationPath.isEmpty()) sources.append(source);
  }
  settings.endArray();
  return sources;
}

void RecentDatasets::remember(const DatasetSource& source) {
  QList<DatasetSource> sources = load();
  sources.removeAll(source);
  sources.prepend(source);
  while (sources.size() > maximumCount) sources.removeLast();
  save(sources);
}

void RecentDatasets::clear() { save({}); }

}  // namespace counterscope::ui
