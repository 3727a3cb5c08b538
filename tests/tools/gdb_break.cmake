# gdb, batch mode, with tools/gdb/drvsim.py: stops on the third interrupt of
# the quickstart, prints the interrupt and the simulated time, runs to the
# end. Fails when gdb is missing (CI must have it: tools/packages.txt).
if(NOT GDB OR NOT EXISTS "${GDB}")
  message(FATAL_ERROR "gdb is not installed: this test needs it (add gdb to tools/packages.txt)")
endif()
execute_process(
  COMMAND ${GDB} -nx -batch -x ${SOURCE_DIR}/tools/gdb/drvsim.py -x ${SOURCE_DIR}/tests/tools/break_irq.gdb
          --args ${DRVSIM} run ${SOURCE_DIR}/scenarios/quickstart.yaml --break-on irq --break-skip 2
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 240)
set(all "${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gdb exited ${rc}\n--- output ---\n${all}")
endif()
# In order: the stop in drvsim_break on the third match, the interrupt, the
# time, the counts, and the run's normal end.
set(expect
  "Breakpoint 1, drvsim_break \\(info="
  "break on match 3 of irq at [0-9]+\\.[0-9]+us: \\[ *[0-9.]+us\\] info  irqc irq cpu=0 vector=[0-9]+ source=dma2"
  "interrupt: cpu 0, vector [0-9]+ \\(0x[0-9a-f]+\\), from dma2"
  "\\$1 = [0-9]+"
  "simulated time: [0-9]+\\.[0-9]+us simulated \\([0-9]+ ps\\)"
  "interrupt controller: 3 delivered, 0 dropped"
  "MSI-X at 0x[0-9a-f]+: enabled, 64 vectors"
  "ConfigSpace {1234:d51f class ff.00.00 rev 1, header type 0x00"
  "command 0x0406 \\(MSE BME INTx-disable\\)"
  "BAR2 mem64 prefetchable size 4096 at 0x[0-9a-f]+}"
  "dma2 msix vector=0"
  "no kernel model in this run"
  "scenario quickstart: ok"
  "exited normally")
set(rest "${all}")
foreach(re IN LISTS expect)
  string(REGEX MATCH "${re}.*" tail "${rest}")
  if(NOT tail)
    message(FATAL_ERROR "gdb's output lacks (in order) '${re}'\n--- output ---\n${all}")
  endif()
  string(REGEX MATCH "${re}" hit "${tail}")
  string(LENGTH "${hit}" hlen)
  string(SUBSTRING "${tail}" ${hlen} -1 rest)
endforeach()
message(STATUS "gdb stopped on the third interrupt and ran to the end")
