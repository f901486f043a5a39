#pragma once
// Checkable actions (layer toggles) that keep their state across sessions: restored from QSettings under
// "<group>/<key>"; the last state is stored when the action is destroyed (with its window), so toggling never
// writes the settings file on the GUI thread.

#include <QList>
#include <QPair>
#include <QString>

class QAction;

namespace counterscope::ui {

/// Restores each action's checked state (when stored) and stores the last toggled state on destruction. Call
/// before the actions' other connections so the restore does not trigger their handlers.
void persistCheckedActions(const QList<QPair<QString, QAction*>>& actions, const QString& group);

}  // namespace counterscope::ui
