# Installation and the Debian package (`make deb`, CPack's DEB generator). Paths are those of
# a Debian system: the package installs into /.
#   /usr/bin/vigie                       the binary (assets compiled in)
#   /etc/vigie/vigie.toml                the configuration, a conffile: the shipped file with the
#                                        catalog and the data folder at their installed places
#   /usr/share/vigie/{catalog,scenarios,deploy}   the vendor's catalog, the demo, nginx's mirror file
#   /lib/systemd/system/vigie.service    the hardened unit (deploy/vigie.service)
#   /var/lib/vigie                       the data (made by postinst and by systemd's StateDirectory)
# packaging/ holds the maintainer scripts, the copyright and the changelog.

set(VIGIE_PACKAGE_CONFIG ${CMAKE_BINARY_DIR}/package/vigie.toml)
file(READ ${CMAKE_SOURCE_DIR}/vigie.toml VIGIE_TOML)
string(REPLACE "data_dir = \"data\"" "data_dir = \"/var/lib/vigie\"" VIGIE_TOML "${VIGIE_TOML}")
string(REPLACE "path = \"catalog/divalto.toml\"" "path = \"/usr/share/vigie/catalog/divalto.toml\""
               VIGIE_TOML "${VIGIE_TOML}")
file(WRITE ${VIGIE_PACKAGE_CONFIG} "${VIGIE_TOML}")
# The changelog, gzipped as Debian wants it (-n: no name or time inside, so the same bytes).
set(VIGIE_CHANGELOG ${CMAKE_BINARY_DIR}/package/changelog.gz)
add_custom_command(OUTPUT ${VIGIE_CHANGELOG}
                   COMMAND gzip -9n -c ${CMAKE_SOURCE_DIR}/packaging/changelog > ${VIGIE_CHANGELOG}
                   DEPENDS ${CMAKE_SOURCE_DIR}/packaging/changelog)
add_custom_target(vigie_changelog ALL DEPENDS ${VIGIE_CHANGELOG})

install(TARGETS vigie RUNTIME DESTINATION usr/bin)
install(FILES ${VIGIE_PACKAGE_CONFIG} DESTINATION etc/vigie)  # postinst: root:vigie 0640
install(FILES catalog/divalto.toml DESTINATION usr/share/vigie/catalog)
install(FILES scenarios/demo.toml DESTINATION usr/share/vigie/scenarios)
install(FILES deploy/nginx-mirror.conf DESTINATION usr/share/vigie/deploy)
install(FILES deploy/vigie.service DESTINATION lib/systemd/system)
# The manual page, gzipped as Debian wants it.
set(VIGIE_MAN ${CMAKE_BINARY_DIR}/package/vigie.1.gz)
add_custom_command(OUTPUT ${VIGIE_MAN}
                   COMMAND gzip -9n -c ${CMAKE_SOURCE_DIR}/packaging/vigie.1 > ${VIGIE_MAN}
                   DEPENDS ${CMAKE_SOURCE_DIR}/packaging/vigie.1)
add_custom_target(vigie_man ALL DEPENDS ${VIGIE_MAN})
install(FILES ${VIGIE_MAN} DESTINATION usr/share/man/man1)
install(FILES README.md docs/deployment.md docs/api.md packaging/copyright ${VIGIE_CHANGELOG}
        DESTINATION usr/share/doc/vigie)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME vigie)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /)
set(CPACK_PACKAGE_CONTACT "Vigie maintainers <vigie@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "self-hosted public status site for a SaaS vendor's services")
set(CPACK_PACKAGE_DESCRIPTION
    "Vigie tells a SaaS vendor's customers, in French and English, how each
service of each platform is doing: five levels, events (incidents,
maintenance, actions, announcements) with their timelines, general messages,
history, RSS, Atom, JSON Feed and iCalendar feeds, a JSON API and Atlassian
Statuspage's API, and a back-office for operators. One binary; SQLite
embedded, or several nodes on PostgreSQL; a static mirror for when
everything else is down.")
set(CPACK_DEBIAN_PACKAGE_SECTION web)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# The runtime libraries, found by dpkg-shlibdeps; adduser for the user, tzdata for the zones.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, tzdata")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql, nginx")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/postinst ${CMAKE_SOURCE_DIR}/packaging/prerm
    ${CMAKE_SOURCE_DIR}/packaging/postrm ${CMAKE_SOURCE_DIR}/packaging/conffiles)
include(CPack)
