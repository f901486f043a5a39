#include "ui/theme.h"

#include <QApplication>
#include <QPalette>
#include <QStyleFactory>

namespace counterscope::ui {

void applyTheme(QApplication& application) {
  application.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
  QPalette palette;
  const QColor window(0x26, 0x29, 0x2f);
  const QColor base(0x1d, 0x20, 0x25);
  const QColor alternate(0x23, 0x26, 0x2c);
  const QColor text(0xdf, 0xe3, 0xe8);
  const QColor muted(0x80, 0x87, 0x92);
  const QColor accent(0x3d, 0x8b, 0xfd);
  palette.setColor(QPalette::Window, window);
  palette.setColor(QPalette::WindowText, text);
  palette.setColor(QPalette::Base, base);
  palette.setColor(QPalette::AlternateBase, alternate);
  palette.setColor(QPalette::ToolTipBase, QColor(0x31, 0x35, 0x3d));
  palette.setColor(QPalette::ToolTipText, text);
  palette.setColor(QPalette::PlaceholderText, muted);
  palette.setColor(QPalette::Text, text);
  palette.setColor(QPalette::Button, QColor(0x30, 0x34, 0x3b));
  palette.setColor(QPalette::ButtonText, text);
  palette.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
  palette.setColor(QPalette::Light, QColor(0x3a, 0x3f, 0x47));
  palette.setColor(QPalette::Midlight, QColor(0x34, 0x38, 0x40));
  palette.setColor(QPalette::Mid, QColor(0x2c, 0x30, 0x36));
  palette.setColor(QPalette::Dark, QColor(0x17, 0x19, 0x1d));
  palette.setColor(QPalette::Shadow, QColor(0x0c, 0x0d, 0x10));
  palette.setColor(QPalette::Highlight, accent);
  palette.setColor(QPalette::HighlightedText, Qt::white);
  palette.setColor(QPalette::Link, accent);
  for (const auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText}) {
    palette.setColor(QPalette::Disabled, role, muted);
  }
  application.setPalette(palette);
  application.setStyleSheet(QStringLiteral(
      "QDockWidget::title { padding: 5px 8px; background: #2d3138; }"
      "QToolBar { border: none; border-bottom: 1px solid #1a1c20; spacing: 2px; padding: 2px 4px; }"
      "QToolButton { padding: 3px 8px; border-radius: 3px; }"
      "QToolButton:checked { background: #34425a; }"
      "QToolButton:hover { background: #3a3f48; }"
      "QStatusBar { border-top: 1px solid #1a1c20; }"
      "QStatusBar QLabel { color: #b8bec8; }"
      "#imageCountLabel { color: #9aa2ad; }"
      "QHeaderView::section { padding: 3px 6px; border: none; border-bottom: 1px solid #1a1c20;"
      " background: #2b2f35; }"));
}

}  // namespace counterscope::ui
