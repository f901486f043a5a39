#include "ui/main_window_actions.h"

#include <QAction>
#include <QKeySequence>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QToolBar>

namespace counterscope::ui {

namespace {

QAction* makeAction(QMainWindow* window, const QString& text, const QList<QKeySequence>& shortcuts,
                    const QString& tip, bool checkable = false) {
  auto* action = new QAction(text, window);
  action->setShortcuts(shortcuts);
  action->setCheckable(checkable);
  if (checkable) action->setChecked(true);
  const QString keys = shortcuts.isEmpty() ? QString() : shortcuts.first().toString(QKeySequence::NativeText);
  action->setToolTip(keys.isEmpty() ? tip : QStringLiteral("%1 (%2)").arg(tip, keys));
  action->setStatusTip(tip);
  return action;
}

}  // namespace

MainWindowActions MainWindowActions::create(QMainWindow* window) {
  MainWindowActions a;
  a.openDataset = makeAction(window, QObject::tr("&Open dataset…"), {QKeySequence::Open},
                             QObject::tr("Open an LVIS or COCO annotation file with its image root"));
  a.closeDataset = makeAction(window, QObject::tr("&Close dataset"), {QKeySequence::Close},
                              QObject::tr("Close the open dataset"));
  a.quit = makeAction(window, QObject::tr("&Quit"), {QKeySequence::Quit}, QObject::tr("Quit Counterscope"));

  a.nextImage = makeAction(window, QObject::tr("&Next image"),
                           {QKeySequence(Qt::Key_Right), QKeySequence(Qt::Key_PageDown), QKeySequence(Qt::Key_N)},
                           QObject::tr("Show the next image of the list"));
  a.previousImage = makeAction(window, QObject::tr("&Previous image"),
                               {QKeySequence(Qt::Key_Left), QKeySequence(Qt::Key_PageUp), QKeySequence(Qt::Key_P)},
                               QObject::tr("Show the previous image of the list"));

  a.fitToWindow = makeAction(window, QObject::tr("&Fit to window"), {QKeySequence(Qt::Key_F)},
                             QObject::tr("Fit the whole image in the view"));
  a.zoomIn = makeAction(window, QObject::tr("Zoom &in"), {QKeySequence::ZoomIn, QKeySequence(Qt::Key_Plus)},
                        QObject::tr("Zoom in"));
  a.zoomOut = makeAction(window, QObject::tr("Zoom &out"), {QKeySequence::ZoomOut, QKeySequence(Qt::Key_Minus)},
                         QObject::tr("Zoom out"));
  a.actualSize = makeAction(window, QObject::tr("&Actual size"), {QKeySequence(Qt::Key_1)},
                            QObject::tr("Show the image at 100%"));

  a.showImage = makeAction(window, QObject::tr("&Image"), {QKeySequence(Qt::Key_I)},
                           QObject::tr("Show or hide the photo"), true);
  a.showMasks = makeAction(window, QObject::tr("&Masks"), {QKeySequence(Qt::Key_M)},
                           QObject::tr("Show or hide the instance masks"), true);
  a.showBoxes = makeAction(window, QObject::tr("&Boxes"), {QKeySequence(Qt::Key_B)},
                           QObject::tr("Show or hide the bounding boxes"), true);
  a.showLabels = makeAction(window, QObject::tr("&Labels"), {QKeySequence(Qt::Key_L)},
                            QObject::tr("Show or hide the category labels"), true);

  a.about = makeAction(window, QObject::tr("&About Counterscope"), {}, QObject::tr("About Counterscope"));

  QMenuBar* bar = window->menuBar();
  QMenu* file = bar->addMenu(QObject::tr("&File"));
  file->addAction(a.openDataset);
  a.recentMenu = file->addMenu(QObject::tr("Open &recent"));
  file->addAction(a.closeDataset);
  file->addSeparator();
  file->addAction(a.quit);

  a.viewMenu = bar->addMenu(QObject::tr("&View"));
  a.viewMenu->addAction(a.fitToWindow);
  a.viewMenu->addAction(a.zoomIn);
  a.viewMenu->addAction(a.zoomOut);
  a.viewMenu->addAction(a.actualSize);
  a.viewMenu->addSeparator();
  QMenu* layers = a.viewMenu->addMenu(QObject::tr("&Layers"));
  layers->addAction(a.showImage);
  layers->addAction(a.showMasks);
  layers->addAction(a.showBoxes);
  layers->addAction(a.showLabels);
  a.viewMenu->addSeparator();

  QMenu* go = bar->addMenu(QObject::tr("&Go"));
  go->addAction(a.previousImage);
  go->addAction(a.nextImage);

  QMenu* help = bar->addMenu(QObject::tr("&Help"));
  help->addAction(a.about);

  a.toolBar = window->addToolBar(QObject::tr("Main"));
  a.toolBar->setObjectName(QStringLiteral("mainToolBar"));
  a.toolBar->setMovable(false);
  a.toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  a.toolBar->addAction(a.openDataset);
  a.toolBar->addSeparator();
  a.toolBar->addAction(a.previousImage);
  a.toolBar->addAction(a.nextImage);
  a.toolBar->addSeparator();
  a.toolBar->addAction(a.fitToWindow);
  a.toolBar->addAction(a.zoomOut);
  a.toolBar->addAction(a.zoomIn);
  a.toolBar->addAction(a.actualSize);
  a.toolBar->addSeparator();
  a.toolBar->addAction(a.showImage);
  a.toolBar->addAction(a.showMasks);
  a.toolBar->addAction(a.showBoxes);
  a.toolBar->addAction(a.showLabels);
  // Short tool-bar texts; the menus keep the long ones.
  a.openDataset->setIconText(QObject::tr("Open"));
  a.previousImage->setIconText(QObject::tr("◀ Prev"));
  a.nextImage->setIconText(QObject::tr("Next ▶"));
  a.fitToWindow->setIconText(QObject::tr("Fit"));
  a.zoomOut->setIconText(QObject::tr("−"));
  a.zoomIn->setIconText(QObject::tr("+"));
  a.actualSize->setIconText(QObject::tr("1:1"));
  return a;
}

}  // namespace counterscope::ui
