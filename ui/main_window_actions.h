#pragma once
// The main window's actions (with their shortcuts) and the menus and tool bar built from them.
// Kept apart from MainWindow so the window class only wires behaviour.

#include <QObject>

class QAction;
class QMainWindow;
class QMenu;
class QToolBar;

namespace counterscope::ui {

struct MainWindowActions {
  QAction* openDataset = nullptr;
  QAction* closeDataset = nullptr;
  QAction* quit = nullptr;
  QMenu* recentMenu = nullptr;

  QAction* nextImage = nullptr;
  QAction* previousImage = nullptr;

  QAction* fitToWindow = nullptr;
  QAction* zoomIn = nullptr;
  QAction* zoomOut = nullptr;
  QAction* actualSize = nullptr;

  QAction* showImage = nullptr;
  QAction* showMasks = nullptr;
  QAction* showBoxes = nullptr;
  QAction* showLabels = nullptr;

  QAction* about = nullptr;

  QToolBar* toolBar = nullptr;
  QMenu* viewMenu = nullptr;  ///< the window adds its dock toggles here

  /// Creates the actions as children of `window` and fills its menu bar and tool bar.
  static MainWindowActions create(QMainWindow* window);
};

}  // namespace counterscope::ui
