# Run by `cmake --install` (see CMakeLists.txt beside it), after bin/coffer is installed.
# Honours DESTDIR, and SYSCONFDIR from the environment (default: /etc for the prefix /usr,
# else PREFIX/etc).
set(root "$ENV{DESTDIR}")
set(prefix "${CMAKE_INSTALL_PREFIX}")
set(bindir "${prefix}/${COFFER_BINDIR}")
if(DEFINED ENV{SYSCONFDIR} AND NOT "$ENV{SYSCONFDIR}" STREQUAL "")
  set(sysconfdir "$ENV{SYSCONFDIR}")
elseif(prefix STREQUAL "/usr")
  set(sysconfdir "/etc")
else()
  set(sysconfdir "${prefix}/etc")
endif()

# sem is coffer under another name.
message(STATUS "Installing: ${root}${bindir}/sem -> coffer")
file(CREATE_LINK coffer "${root}${bindir}/sem" SYMBOLIC)

file(READ "${COFFER_DEPLOY_DIR}/coffer.service" unit)
string(REPLACE "/usr/bin/coffer" "${bindir}/coffer" unit "${unit}")
string(REPLACE "/etc/coffer/" "${sysconfdir}/coffer/" unit "${unit}")
set(unit_path "${root}${prefix}/lib/systemd/system/coffer.service")
message(STATUS "Installing: ${unit_path}")
file(WRITE "${unit_path}" "${unit}")

# Never overwrite the operator's settings.
set(conf_path "${root}${sysconfdir}/coffer/coffer.yaml")
if(EXISTS "${conf_path}")
  message(STATUS "Up-to-date (kept): ${conf_path}")
else()
  message(STATUS "Installing: ${conf_path}")
  file(MAKE_DIRECTORY "${root}${sysconfdir}/coffer")
  file(COPY_FILE "${COFFER_DEPLOY_DIR}/coffer.yaml" "${conf_path}")
endif()
