# Debian package: `cpack -G DEB` in the build folder installs both executables, the .desktop entry, the icon
# and the bundled resources (configs, demo models).
install(DIRECTORY ${CMAKE_SOURCE_DIR}/resources/ DESTINATION share/counterscope
        PATTERN "icons" EXCLUDE)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/counterscope.desktop DESTINATION share/applications)
install(FILES ${CMAKE_SOURCE_DIR}/resources/icons/counterscope.svg
        DESTINATION share/icons/hicolor/scalable/apps)

set(CPACK_PACKAGE_NAME "counterscope")
set(CPACK_PACKAGE_VENDOR "Counterscope")
set(CPACK_PACKAGE_CONTACT "Counterscope developers <counterscope@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-pthread")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
include(CPack)
