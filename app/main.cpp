// counterscope: the desktop application. All of it lives in ui/; this file only starts it.

#include "ui/application.h"

int main(int argc, char** argv) { return counterscope::ui::runApplication(argc, argv); }
