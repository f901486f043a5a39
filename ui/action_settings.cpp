#include "ui/action_settings.h"

#include <memory>
#include <optional>

#include <QAction>
#include <QSettings>

namespace counterscope::ui {

void persistCheckedActions(const QList<QPair<QString, QAction*>>& actions, const QString& group) {
  QSettings settings;
  for (const auto& [key, action] : actions) {
    if (!action || !action->isCheckable()) continue;
    const QString path = group + QLatin1Char('/') + key;
    if (settings.contains(path)) action->setChecked(settings.value(path).toBool());
    // Stored when the action goes (with its window), not on every toggle: writing QSettings syncs the file
    // (write + fsync) on the GUI thread, which stalled it for 200 ms under disk load (test_responsiveness).
    auto last = std::make_shared<std::optional<bool>>();
    QObject::connect(action, &QAction::toggled, action, [last](bool checked) { *last = checked; });
    QObject::connect(action, &QObject::destroyed, [path, last] {
      if (last->has_value()) QSettings().setValue(path, **last);
    });
  }
}

}  // namespace counterscope::ui
