# install.cmake - what `cmake --install BUILD [--prefix DIR]` puts into the
# prefix: libh278 (static, and shared with a soname where H278_SHARED is on),
# include/h278.h, a pkg-config file (h278.pc), a CMake package
# (find_package(h278 CONFIG): h278::h278, the shared library where there is
# one, else the static, and h278::h278_static), the h278 and h278-bench
# programs, the man page h278.1 and bash completion for h278.
include(CMakePackageConfigHelpers)

set(h278_installed_libraries h278)
if(H278_SHARED)
  list(APPEND h278_installed_libraries h278_shared)
else()
  # Without a shared library, h278::h278 is the static one.
  add_library(h278_default INTERFACE)
  target_link_libraries(h278_default INTERFACE h278)
  set_target_properties(h278_default PROPERTIES EXPORT_NAME h278)
  list(APPEND h278_installed_libraries h278_default)
endif()
install(TARGETS ${h278_installed_libraries} EXPORT h278Targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CMAKE_SOURCE_DIR}/include/h278.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(h278_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/h278)
install(EXPORT h278Targets NAMESPACE h278:: DESTINATION ${h278_cmake_dir})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/h278Config.cmake.in
                              ${CMAKE_BINARY_DIR}/h278Config.cmake INSTALL_DESTINATION ${h278_cmake_dir})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/h278ConfigVersion.cmake COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/h278Config.cmake ${CMAKE_BINARY_DIR}/h278ConfigVersion.cmake
        DESTINATION ${h278_cmake_dir})

# pkg-config: paths relative to where the file is installed, so that the
# prefix can be chosen at install time (cmake --install --prefix DIR).
file(RELATIVE_PATH h278_pc_to_prefix /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${CMAKE_SOURCE_DIR}/cmake/h278.pc.in ${CMAKE_BINARY_DIR}/h278.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/h278.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(TARGETS h278_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET h278_bench)
  install(TARGETS h278_bench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(FILES ${CMAKE_SOURCE_DIR}/docs/h278.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/cli/h278.bash-completion DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME h278)
