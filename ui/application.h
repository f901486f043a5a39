#pragma once
// Start-up of the desktop application: parses the command line, opens the main window (and the dataset
// it names) and, with --screenshot, renders it once the first image is drawn and exits.

namespace counterscope::ui {

/// Runs the application; returns the process exit code (0 ok, 1 the dataset or screenshot failed,
/// 2 bad usage).
int runApplication(int argc, char** argv);

}  // namespace counterscope::ui
