# forksafe_enable_facts(TARGET... [LAUNCHER] [DIR dir]): the compiles of these targets also write
# their forksafe facts (`foo.o.forksafe` next to each object, or in DIR), so that
# `forksafe-check -p <build>` (or `--facts-dir=DIR`) links them instead of parsing every file again.
#
# With clang 19 the facts come from the compiler's own AST through the plugin libforksafe-facts.so
# (-fplugin=...). With any other compiler (GCC), or with LAUNCHER, the compiles run under the
# forksafe-facts launcher, which parses the same command with clang next to the real compile.
# See docs/facts-from-the-build.md.
#
# FORKSAFE_FACTS_PLUGIN and FORKSAFE_FACTS_LAUNCHER locate the two tools (default: where the
# installed package put them, relative to this file; the in-tree copy has no default).
if(NOT FORKSAFE_FACTS_PLUGIN AND NOT "@FORKSAFE_FACTS_PLUGIN_FROM_MODULE@" MATCHES "^@")
  get_filename_component(FORKSAFE_FACTS_PLUGIN
                         "${CMAKE_CURRENT_LIST_DIR}/@FORKSAFE_FACTS_PLUGIN_FROM_MODULE@" ABSOLUTE)
endif()
if(NOT FORKSAFE_FACTS_LAUNCHER AND NOT "@FORKSAFE_FACTS_LAUNCHER_FROM_MODULE@" MATCHES "^@")
  get_filename_component(FORKSAFE_FACTS_LAUNCHER
                         "${CMAKE_CURRENT_LIST_DIR}/@FORKSAFE_FACTS_LAUNCHER_FROM_MODULE@" ABSOLUTE)
endif()

function(forksafe_enable_facts)
  cmake_parse_arguments(PARSE_ARGV 0 F "LAUNCHER" "DIR" "")
  if(NOT F_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "forksafe_enable_facts(): no target given")
  endif()
  if(NOT FORKSAFE_FACTS_PLUGIN OR NOT FORKSAFE_FACTS_LAUNCHER)
    message(FATAL_ERROR "forksafe_enable_facts(): set FORKSAFE_FACTS_PLUGIN and FORKSAFE_FACTS_LAUNCHER")
  endif()
  set(use_plugin OFF)
  if(NOT F_LAUNCHER AND CMAKE_CXX_COMPILER_ID STREQUAL "Clang"
     AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 19
     AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 20)
    set(use_plugin ON)
  endif()
  foreach(target IN LISTS F_UNPARSED_ARGUMENTS)
    if(NOT TARGET ${target})
      message(FATAL_ERROR "forksafe_enable_facts(): '${target}' is not a target")
    endif()
    if(use_plugin)
      target_compile_options(${target} PRIVATE "-fplugin=${FORKSAFE_FACTS_PLUGIN}")
      if(F_DIR)
        target_compile_options(${target} PRIVATE "-fplugin-arg-forksafe-facts-out=${F_DIR}")
      endif()
      # The plugin is an input of every compile: rebuilding it re-runs them.
      set_property(TARGET ${target} APPEND PROPERTY OBJECT_DEPENDS "${FORKSAFE_FACTS_PLUGIN}")
    else()
      set(launcher "${FORKSAFE_FACTS_LAUNCHER}")
      if(F_DIR)
        list(APPEND launcher "--facts-out=${F_DIR}")
      endif()
      set_target_properties(${target} PROPERTIES CXX_COMPILER_LAUNCHER "${launcher}"
                                                 C_COMPILER_LAUNCHER "${launcher}")
    endif()
  endforeach()
endfunction()
