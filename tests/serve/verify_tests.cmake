# forksafe-serve --verify: unit tests on a library with a known layout (and a stripped copy of it),
# then real-process tests on the example apps (see docs/verify.md). Included from CMakeLists.txt,
# after server_test.cmake.
add_library(verify_layout MODULE apps/verify_layout.cpp)
target_link_libraries(verify_layout PRIVATE forksafe::headers)
set_target_properties(verify_layout PROPERTIES PREFIX "" SUFFIX ".so" CXX_VISIBILITY_PRESET hidden
  POSITION_INDEPENDENT_CODE ON)
add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/verify_layout_stripped.so
  COMMAND ${CMAKE_STRIP} --strip-all -o ${CMAKE_CURRENT_BINARY_DIR}/verify_layout_stripped.so
          $<TARGET_FILE:verify_layout>
  DEPENDS verify_layout VERBATIM)
add_custom_target(verify_layout_stripped ALL DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/verify_layout_stripped.so)
add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/counter_stripped.so
  COMMAND ${CMAKE_STRIP} --strip-all -o ${CMAKE_CURRENT_BINARY_DIR}/counter_stripped.so $<TARGET_FILE:counter>
  DEPENDS counter VERBATIM)
add_custom_target(counter_stripped ALL DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/counter_stripped.so)
forksafe_add_app(verify_hidden_write apps/verify_hidden_write.cpp)
forksafe_add_app(verify_prefork apps/verify_prefork.cpp)
forksafe_add_app(verify_heap apps/verify_heap.cpp)
forksafe_add_app(verify_big_heap apps/verify_big_heap.cpp)  # for tests/bench/verify_heap_bench.sh

set(VERIFY_DATA_DIR ${CMAKE_CURRENT_SOURCE_DIR}/verify_data)
forksafe_server_test(serve_verify_unit_tests verify_unit_test.cpp LINK forksafe_serve_core
  DEFINES VERIFY_LAYOUT_LIB="$<TARGET_FILE:verify_layout>"
          VERIFY_STRIPPED_LIB="${CMAKE_CURRENT_BINARY_DIR}/verify_layout_stripped.so"
          VERIFY_STRIPPED_APP="${CMAKE_CURRENT_BINARY_DIR}/counter_stripped.so"
          VERIFY_DATA_DIR="${VERIFY_DATA_DIR}"
  DEPENDS verify_layout verify_layout_stripped counter_stripped TIMEOUT 30)
find_package(nlohmann_json 3 REQUIRED)
forksafe_server_test(serve_verify_tests verify_test.cpp HARNESS LINK nlohmann_json::nlohmann_json
  TIMEOUT 120)
target_compile_definitions(serve_verify_tests PRIVATE
  VERIFY_APP_DIR="$<TARGET_FILE_DIR:counter>"
  VERIFY_TEST_APP_DIR="$<TARGET_FILE_DIR:verify_prefork>"
  VERIFY_STRIPPED_APP="${CMAKE_CURRENT_BINARY_DIR}/counter_stripped.so"
  VERIFY_DATA_DIR="${VERIFY_DATA_DIR}")
add_dependencies(serve_verify_tests hello counter_stripped verify_hidden_write verify_prefork verify_heap
  counter counter_fixed sessions sessions_fixed ids ids_fixed tokens tokens_fixed cache cache_fixed
  dbconn dbconn_fixed quota quota_fixed stock stock_fixed)
# The checker part runs when forksafe-check is built, or against FORKSAFE_CHECKER_FOR_TESTS (a path).
set(FORKSAFE_CHECKER_FOR_TESTS "" CACHE FILEPATH "A forksafe-check binary for the --verify tests")
if(TARGET forksafe-check)
  target_compile_definitions(serve_verify_tests PRIVATE FORKSAFE_CHECK_BIN="$<TARGET_FILE:forksafe-check>")
  add_dependencies(serve_verify_tests forksafe-check)
elseif(FORKSAFE_CHECKER_FOR_TESTS)
  target_compile_definitions(serve_verify_tests PRIVATE FORKSAFE_CHECK_BIN="${FORKSAFE_CHECKER_FOR_TESTS}")
endif()
target_compile_definitions(serve_verify_tests PRIVATE FORKSAFE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
  FORKSAFE_INCLUDE_DIR="${PROJECT_SOURCE_DIR}/runtime/include")

# Not a test: the isolated per-request cost of --verify, quoted in docs/performance.md.
add_executable(verify_diff_bench ../bench/verify_diff_bench.cpp)
target_link_libraries(verify_diff_bench PRIVATE forksafe_serve_core)

# Not a test: soft-dirty page tracking against a plain compare, quoted in docs/verify.md.
add_executable(soft_dirty_bench ../bench/soft_dirty_bench.cpp)
