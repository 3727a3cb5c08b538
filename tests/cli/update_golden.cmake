# --update-golden on a copy of data/golden.yaml: the digest is added, nothing
# else in the file changes, the golden sidecar is written, and the next run
# passes; a changed scenario then fails with the first differing event.
set(dir ${OUT}/update-golden)
file(REMOVE_RECURSE ${dir})
file(MAKE_DIRECTORY ${dir})
configure_file(${DATA}/golden.yaml ${dir}/golden.yaml COPYONLY)
file(READ ${dir}/golden.yaml before)

execute_process(COMMAND ${DRVSIM} run ${dir}/golden.yaml --update-golden RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "--update-golden exited ${rc}\n${out}${err}")
endif()
string(REGEX MATCH "trace digest ([0-9a-f]+)" _ "${out}")
set(digest ${CMAKE_MATCH_1})
file(READ ${dir}/golden.yaml after)
string(REPLACE "  exit_ok: true\n" "  digest: ${digest}\n  exit_ok: true\n" wanted "${before}")
if(NOT after STREQUAL wanted)
  message(FATAL_ERROR "the file changed beyond the digest:\n--- expected ---\n${wanted}\n--- got ---\n${after}")
endif()
if(NOT EXISTS ${dir}/golden/golden.digests)
  message(FATAL_ERROR "no golden sidecar ${dir}/golden/golden.digests")
endif()

# Again: the value is replaced in place, byte for byte the same file.
execute_process(COMMAND ${DRVSIM} run ${dir}/golden.yaml --update-golden RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
file(READ ${dir}/golden.yaml again)
if(NOT rc EQUAL 0 OR NOT again STREQUAL after)
  message(FATAL_ERROR "a second --update-golden changed the file (exit ${rc})")
endif()

execute_process(COMMAND ${DRVSIM} run ${dir}/golden.yaml RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "expectations: [0-9]+ checked, all met")
  message(FATAL_ERROR "the recorded scenario does not pass (exit ${rc})\n${out}${err}")
endif()

# Another jitter: another trace; the report names the first differing event.
string(REPLACE "dma_jitter: 250ns" "dma_jitter: 900ns" changed "${after}")
file(WRITE ${dir}/golden.yaml "${changed}")
execute_process(COMMAND ${DRVSIM} run ${dir}/golden.yaml RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "a changed trace exited ${rc}, expected 1\n${out}${err}")
endif()
foreach(re "golden.yaml:[0-9]+:11: expect.digest: expected ${digest}, got [0-9a-f]+"
           "first difference at event #[0-9]+"
           "this run: \\[ *[0-9.]+us\\] info  dma0 dma.done"
           "--trace-json /tmp/golden.jsonl; jq -c 'select\\(.seq >= [0-9]+ and .seq <= [0-9]+\\)'"
           "if the change is intended: drvsim run .*golden.yaml --update-golden")
  if(NOT out MATCHES "${re}")
    message(FATAL_ERROR "the mismatch report lacks '${re}'\n${out}${err}")
  endif()
endforeach()

# --update-golden with another seed is refused.
execute_process(COMMAND ${DRVSIM} run ${dir}/golden.yaml --update-golden --seed 3 RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "records the scenario's own seed")
  message(FATAL_ERROR "--update-golden --seed 3 exited ${rc}: ${err}")
endif()
message(STATUS "digest ${digest} recorded in place; a changed run names its first differing event")
