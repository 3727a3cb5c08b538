# Runs a scenario twice with --trace-json and compares the files byte for byte.
foreach(n 1 2)
  execute_process(COMMAND ${DRVSIM} run ${SCENARIO} --trace-json ${OUT}/identical-${n}.jsonl
                  RESULT_VARIABLE rc OUTPUT_QUIET)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "run ${n} exited ${rc}")
  endif()
endforeach()
file(SIZE ${OUT}/identical-1.jsonl size)
if(size EQUAL 0)
  message(FATAL_ERROR "empty trace")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT}/identical-1.jsonl ${OUT}/identical-2.jsonl
                RESULT_VARIABLE diff)
if(NOT diff EQUAL 0)
  message(FATAL_ERROR "the two traces differ")
endif()
message(STATUS "${size} bytes, identical")
