# forksafe_add_app(name sources...): builds an app library that forksafe-serve can load (name.so).
# Used in-tree and by the installed package (find_package(forksafe)); needs targets forksafe::headers
# and forksafe::shared (<forksafe/shared.hpp>, linked in statically).
function(forksafe_add_app name)
  if(NOT ARGN)
    message(FATAL_ERROR "forksafe_add_app(${name}): no source files given")
  endif()
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE forksafe::headers forksafe::shared)
  target_compile_features(${name} PRIVATE cxx_std_17)
  # Only the FORKSAFE_APP entry points are exported; everything else stays private to the app, so
  # two apps (or an app and the server) never interpose each other's inline functions.
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    SUFFIX ".so"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    POSITION_INDEPENDENT_CODE ON)
endfunction()
