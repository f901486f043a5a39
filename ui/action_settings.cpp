#include "ui/action_settings.h"

#include <QAction>
#include <QSettings>

namespace counterscope::ui {

void persistCheckedActions(const QList<QPair<QString, QAction*>>& actions, const QString& group) {
  QSettings settings;
  for (const auto& [key, action] : actions) {
    if (!action || !action->isCheckable()) continue;
    const QString path = group + QLatin1Char('/') + key;
    if (settings.contains(path)) action->setChecked(settings.value(path).toBool());
    QObject::connect(action, &QAction::toggled, action, [path](bool checked) { QSettings().setValue(path, checked); });
  }
}

}  // namespace counterscope::ui
