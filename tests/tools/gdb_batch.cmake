cmake_minimum_required(VERSION 3.20)
# Runs drvsim under gdb in batch mode with tools/gdb/drvsim.py and a command
# file, and checks gdb's output against a list of regular expressions that
# must all match, in order (one per line of EXPECT; `#` lines are comments,
# a line `= TEXT` matches TEXT literally).
#   -DGDB=gdb -DDRVSIM=drvsim -DSOURCE_DIR=<repo> -DCOMMANDS=<file.gdb>
#   -DEXPECT=<file.expect> -DRUN_ARGS="run;<scenario>;--break-on;..."
# gdb missing is a failure: CI must have it (tools/packages.txt).
if(NOT GDB OR NOT EXISTS "${GDB}")
  message(FATAL_ERROR "gdb is not installed: this test needs it (add gdb to tools/packages.txt)")
endif()
set(args ${RUN_ARGS})
execute_process(
  COMMAND ${GDB} -nx -batch -x ${SOURCE_DIR}/tools/gdb/drvsim.py -x ${COMMANDS} --args ${DRVSIM} ${args}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 120)
set(all "${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gdb exited ${rc}\n--- output ---\n${all}")
endif()
if(all MATCHES "drvsim: cannot call|Python Exception|Error occurred in Python")
  message(FATAL_ERROR "a drvsim gdb command failed\n--- output ---\n${all}")
endif()
file(STRINGS ${EXPECT} lines ENCODING UTF-8)
set(rest "${all}")
foreach(re IN LISTS lines)
  if(re MATCHES "^#" OR re STREQUAL "")
    continue()
  endif()
  if(re MATCHES "^= ")  # a literal line
    string(SUBSTRING "${re}" 2 -1 re)
    string(REGEX REPLACE "([][+.*?()^$|{}\\])" "\\\\\\1" re "${re}")
  endif()
  string(REGEX MATCH "${re}.*" tail "${rest}")
  if(NOT tail)
    message(FATAL_ERROR "gdb's output lacks (in order) '${re}'\n--- output ---\n${all}")
  endif()
  string(REGEX MATCH "${re}" hit "${tail}")
  string(LENGTH "${hit}" hlen)
  string(SUBSTRING "${tail}" ${hlen} -1 rest)
endforeach()
message(STATUS "${all}")
message(STATUS "gdb's output has every expected line, in order")
