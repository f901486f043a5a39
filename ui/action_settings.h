#pragma once
// Checkable actions (layer toggles) that keep their state across sessions: restored from QSettings under
// "<group>/<key>" and stored on every change.

#include <QList>
#include <QPair>
#include <QString>

class QAction;

namespace counterscope::ui {

/// Restores each action's checked state (when stored) and stores it whenever it toggles. Call before the
/// actions' other connections so the restore does not trigger their handlers.
void persistCheckedActions(const QList<QPair<QString, QAction*>>& actions, const QString& group);

}  // namespace counterscope::ui
