# Debugging and timeline tools: sinks, the gdb extension in a real gdb, the
# VCD through GTKWave's vcd2fst. Included from tests/cli/CMakeLists.txt (the
# areas of tests/CMakeLists.txt are the lead's); label `tools`.
set(TOOLS_DIR ${CMAKE_CURRENT_LIST_DIR})

drvsim_test(test_tools LABEL tools SOURCES ${TOOLS_DIR}/sinks_test.cpp
            LIBS drvsim_platform nlohmann_json::nlohmann_json)

# gdb, batch mode, with tools/gdb/drvsim.py (gdb_batch.cmake): drvsim stops
# in drvsim_break at an interrupt, the commands of NAME.gdb print what is
# being handled, the run goes on to its normal end, and gdb's output must
# hold every line of NAME.expect in order. gdb missing is a failure: it is in
# tools/packages.txt.
find_program(DRVSIM_GDB gdb)
function(drvsim_gdb_test name script)
  string(REPLACE ";" "\\;" run_args "${ARGN}")
  add_test(NAME tools.${name}
           COMMAND ${CMAKE_COMMAND} -DGDB=${DRVSIM_GDB} -DDRVSIM=$<TARGET_FILE:drvsim>
                   -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DCOMMANDS=${TOOLS_DIR}/${script}.gdb
                   -DEXPECT=${TOOLS_DIR}/${script}.expect "-DRUN_ARGS=${run_args}" -P ${TOOLS_DIR}/gdb_batch.cmake)
  set_tests_properties(tools.${name} PROPERTIES LABELS tools TIMEOUT 180)
endfunction()
set(SCN ${PROJECT_SOURCE_DIR}/scenarios)
# The quickstart (pci-test device): the third interrupt, the config header.
drvsim_gdb_test(gdb_break_on_irq break_irq run ${SCN}/quickstart.yaml --no-progress --break-on irq --break-skip 2)
# NVMe: the third interrupt of nvme0, the CQE being handled and its queues.
drvsim_gdb_test(gdb_nvme_cqe break_nvme run ${SCN}/nvme-randread-qd1.yaml --no-progress
                --break-on irq:nvme0 --break-skip 2)
# xHCI: the third interrupt of xhci0, the event TRB at the event ring's
# dequeue pointer.
drvsim_gdb_test(gdb_xhci_event break_xhci run ${SCN}/usb-enumerate.yaml --no-progress
                --break-on irq:xhci0 --break-skip 2)
# The pretty printers on values built from known bytes (no run): the ring
# ABI, NVMe SQE/CQE, xHCI TRBs, PCI BarInfo, exact text.
add_test(NAME tools.gdb_printers
         COMMAND ${CMAKE_COMMAND} -DGDB=${DRVSIM_GDB} -DDRVSIM=$<TARGET_FILE:drvsim>
                 -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DCOMMANDS=${TOOLS_DIR}/printers.gdb
                 -DEXPECT=${TOOLS_DIR}/printers.expect -DRUN_ARGS=--version -P ${TOOLS_DIR}/gdb_batch.cmake)
set_tests_properties(tools.gdb_printers PROPERTIES LABELS tools TIMEOUT 180)

# The VCD read by GTKWave's converter, when GTKWave is installed (skipped
# otherwise; tests/tools/sinks_test.cpp parses it in any case).
find_program(DRVSIM_VCD2FST vcd2fst)
add_test(NAME tools.vcd2fst
         COMMAND ${CMAKE_COMMAND} -DVCD2FST=${DRVSIM_VCD2FST} -DDRVSIM=$<TARGET_FILE:drvsim>
                 -DSCENARIO=${PROJECT_SOURCE_DIR}/scenarios/quickstart.yaml -DOUT=${CMAKE_CURRENT_BINARY_DIR}
                 -P ${TOOLS_DIR}/vcd2fst.cmake)
set_tests_properties(tools.vcd2fst PROPERTIES LABELS tools SKIP_REGULAR_EXPRESSION "vcd2fst is not installed")

# One timing parameter changed (NVMe read latency 60us -> 61us): the scenario
# fails with exit 1 and names the first event that differs, checked against
# the traces of both runs.
add_test(NAME tools.golden_first_difference
         COMMAND ${CMAKE_COMMAND} -DDRVSIM=$<TARGET_FILE:drvsim> -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                 -DOUT=${CMAKE_CURRENT_BINARY_DIR} -P ${TOOLS_DIR}/golden_diff.cmake)
set_tests_properties(tools.golden_first_difference PROPERTIES LABELS tools TIMEOUT 120)

# docs/ci.md's commands on this build: sharding with -I covers every scenario
# test once; --output-junit writes JUnit (on two quick scenarios).
add_test(NAME tools.ctest_ci
         COMMAND ${CMAKE_COMMAND} -DCTEST=${CMAKE_CTEST_COMMAND} -DSCENARIOS=${PROJECT_BINARY_DIR}/scenarios
                 -DBUILD=${CMAKE_CURRENT_BINARY_DIR}/ctest-ci -DOUT=junit.xml -P ${TOOLS_DIR}/ctest_ci.cmake)
set_tests_properties(tools.ctest_ci PROPERTIES LABELS tools TIMEOUT 120)
