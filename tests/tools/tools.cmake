# Debugging and timeline tools: sinks, the gdb extension in a real gdb, the
# VCD through GTKWave's vcd2fst. Included from tests/cli/CMakeLists.txt (the
# areas of tests/CMakeLists.txt are the lead's); label `tools`.
set(TOOLS_DIR ${CMAKE_CURRENT_LIST_DIR})

drvsim_test(test_tools LABEL tools SOURCES ${TOOLS_DIR}/sinks_test.cpp
            LIBS drvsim_platform nlohmann_json::nlohmann_json)

# gdb, batch mode: stop on the third interrupt of the quickstart, print it and
# the simulated time, continue to the end. gdb missing is a failure: it is in
# tools/packages.txt.
find_program(DRVSIM_GDB gdb)
add_test(NAME tools.gdb_break_on_irq
         COMMAND ${CMAKE_COMMAND} -DGDB=${DRVSIM_GDB} -DDRVSIM=$<TARGET_FILE:drvsim>
                 -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -P ${TOOLS_DIR}/gdb_break.cmake)
set_tests_properties(tools.gdb_break_on_irq PROPERTIES LABELS tools TIMEOUT 300)

# The VCD read by GTKWave's converter, when GTKWave is installed (skipped
# otherwise; tests/tools/sinks_test.cpp parses it in any case).
find_program(DRVSIM_VCD2FST vcd2fst)
add_test(NAME tools.vcd2fst
         COMMAND ${CMAKE_COMMAND} -DVCD2FST=${DRVSIM_VCD2FST} -DDRVSIM=$<TARGET_FILE:drvsim>
                 -DSCENARIO=${PROJECT_SOURCE_DIR}/scenarios/quickstart.yaml -DOUT=${CMAKE_CURRENT_BINARY_DIR}
                 -P ${TOOLS_DIR}/vcd2fst.cmake)
set_tests_properties(tools.vcd2fst PROPERTIES LABELS tools SKIP_REGULAR_EXPRESSION "vcd2fst is not installed")
