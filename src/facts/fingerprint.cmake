# cmake -DOUT=<file> -DSOURCES=<a;b;...> -P fingerprint.cmake: writes
# `#define FORKSAFE_ANALYSIS_FINGERPRINT "<sha256 of the sources>"` to OUT when it changed, so the
# plugin, the launcher and forksafe-check agree on which analysis code wrote a facts file.
set(all "")
foreach(source IN LISTS SOURCES)
  file(SHA256 "${source}" hash)
  string(APPEND all "${hash}")
endforeach()
string(SHA256 fingerprint "${all}")
string(SUBSTRING "${fingerprint}" 0 16 fingerprint)
set(text "#define FORKSAFE_ANALYSIS_FINGERPRINT \"${fingerprint}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
