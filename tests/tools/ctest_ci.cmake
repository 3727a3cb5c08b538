cmake_minimum_required(VERSION 3.20)
# What docs/ci.md tells CI to run, checked on this build:
# - `ctest -L '^scenario$' -I k,,n` shards: for n = 3, the shards are
#   disjoint and together list every scenario test once;
# - `--output-junit FILE` (FILE relative to the build directory) writes JUnit
#   XML with one passed testcase per scenario run (two quick ones here).
# It runs ctest on a scratch test directory BUILD whose CTestTestfile only
# includes <build>/scenarios, so that its Testing/ logs are not the build's.
#   -DCTEST=ctest -DSCENARIOS=<build>/scenarios -DBUILD=<scratch dir>
#   -DOUT=<name of the JUnit file in BUILD>
file(REMOVE_RECURSE ${BUILD})
file(WRITE ${BUILD}/CTestTestfile.cmake "subdirs(\"${SCENARIOS}\")\n")
function(list_tests var)
  execute_process(COMMAND ${CTEST} --test-dir ${BUILD} -N -L "^scenario$" ${ARGN}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ctest -N failed (${rc}): ${out}${err}")
  endif()
  string(REGEX MATCHALL "Test +#[0-9]+: scenario\\.[^\n ]+" found "${out}")
  set(names "")
  foreach(f IN LISTS found)
    string(REGEX REPLACE ".*: " "" f "${f}")
    list(APPEND names ${f})
  endforeach()
  set(${var} ${names} PARENT_SCOPE)
endfunction()

list_tests(all)
list(LENGTH all total)
if(total LESS 3)
  message(FATAL_ERROR "only ${total} scenario tests: ${all}")
endif()
set(union "")
foreach(k 1 2 3)
  list_tests(shard -I ${k},,3)
  foreach(t IN LISTS shard)
    if(t IN_LIST union)
      message(FATAL_ERROR "${t} is in two shards")
    endif()
    list(APPEND union ${t})
  endforeach()
endforeach()
list(SORT all)
list(SORT union)
if(NOT all STREQUAL union)
  message(FATAL_ERROR "the shards -I k,,3 together run\n  ${union}\nnot every scenario test:\n  ${all}")
endif()
message(STATUS "${total} scenario tests, 3 shards cover each once")

file(REMOVE ${BUILD}/${OUT})
execute_process(COMMAND ${CTEST} --test-dir ${BUILD} -L "^scenario$" -R "^scenario\\.(quickstart|rings)$"
                        --output-junit ${OUT}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ctest failed (${rc}): ${out}${err}")
endif()
if(NOT EXISTS ${BUILD}/${OUT})
  message(FATAL_ERROR "no ${BUILD}/${OUT} after --output-junit ${OUT}:\n${out}${err}")
endif()
file(READ ${BUILD}/${OUT} xml)
foreach(re "<testsuite [^>]*tests=\"2\"" "<testsuite [^>]*failures=\"0\""
           "<testcase name=\"scenario\\.quickstart\"[^>]* status=\"run\"" "<testcase name=\"scenario\\.rings\"[^>]* status=\"run\"")
  if(NOT xml MATCHES "${re}")
    message(FATAL_ERROR "the JUnit report lacks '${re}':\n${xml}")
  endif()
endforeach()
message(STATUS "JUnit written to ${BUILD}/${OUT} with 2 passed scenario testcases")
