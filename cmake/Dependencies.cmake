# Every dependency is a Debian 12 package; nothing is downloaded.
find_package(PkgConfig REQUIRED)

# SystemC 2.3.4 from Debian ships no CMake config and is built as C++17: the
# project is C++20, so SC_CPLUSPLUS must say 201703L or the link fails on
# sc_api_version_2_3_4_cxx202002L.
pkg_check_modules(SYSTEMC REQUIRED IMPORTED_TARGET systemc)
add_library(drvsim_systemc INTERFACE)
target_link_libraries(drvsim_systemc INTERFACE PkgConfig::SYSTEMC)
target_compile_definitions(drvsim_systemc INTERFACE SC_CPLUSPLUS=201703L SC_INCLUDE_DYNAMIC_PROCESSES)

pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)

find_package(spdlog REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 REQUIRED)
if(DRVSIM_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(DRVSIM_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
