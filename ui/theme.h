#pragma once
// The application's look: Qt's Fusion style with a dark palette, which keeps photos and coloured masks the
// brightest things on screen (as image-annotation tools do).

class QApplication;

namespace counterscope::ui {

void applyTheme(QApplication& application);

}  // namespace counterscope::ui
