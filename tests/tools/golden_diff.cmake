cmake_minimum_required(VERSION 3.20)
# Changing one timing parameter fails the scenario with a first-difference
# message that a user can act on. Copies scenarios/nvme-randread-qd1.yaml and
# its golden sidecar (golden/<stem>.digests beside the file, where drvsim
# looks for it) into OUT with the NVMe media read latency 60us -> 61us, runs
# it, and checks: exit code 1, the digest expectation fails, the report names
# the first event that differs (time, severity, component, kind, fields) and
# the one before it, and gives the commands that show the context and that
# renew the golden. The event it names must be the real first difference:
# the test traces both runs (--trace-json) and compares them with cmp.
#   -DDRVSIM=drvsim -DSOURCE_DIR=<repo> -DOUT=<scratch dir>
set(stem nvme-randread-qd1)
set(dir ${OUT}/golden-diff)
file(REMOVE_RECURSE ${dir})
file(MAKE_DIRECTORY ${dir}/golden)
file(READ ${SOURCE_DIR}/scenarios/${stem}.yaml text)
string(REPLACE "name: nvme0," "name: nvme0, timing: { read_latency: 61us }," changed "${text}")
if(changed STREQUAL text)
  message(FATAL_ERROR "scenarios/${stem}.yaml has no 'name: nvme0,' to add the timing override to")
endif()
if(NOT text MATCHES "digest: ([0-9a-f]+)")
  message(FATAL_ERROR "scenarios/${stem}.yaml has no digest")
endif()
set(digest ${CMAKE_MATCH_1})
file(WRITE ${dir}/${stem}.yaml "${changed}")
configure_file(${SOURCE_DIR}/scenarios/golden/${stem}.digests ${dir}/golden/${stem}.digests COPYONLY)

execute_process(COMMAND ${DRVSIM} run ${dir}/${stem}.yaml --no-progress --trace-json ${dir}/changed.jsonl
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
set(all "${out}${err}")
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "drvsim exited ${rc}, expected 1 (an expectation failed)\n${all}")
endif()
# What differed: the digest, then the first event that differs and the one
# before it, then what to do.
set(event "\\[ *[0-9]+\\.[0-9]+us\\] [a-z]+ +[a-z0-9._-]+ [a-z0-9._]+( [a-z_]+=[^ \n]+)*")
set(expect
  "${stem}.yaml:[0-9]+:[0-9]+: expect.digest: expected ${digest}, got [0-9a-f]+"
  "first difference at event #([0-9]+) \\(${dir}/golden/${stem}.digests\\):"
  "  this run: (${event})\n"
  "  golden:   a different event"
  "  the event before is the same in both: ${event}\n"
  "to see the events there: drvsim run ${dir}/${stem}.yaml --trace-json /tmp/${stem}.jsonl; jq -c 'select\\(.seq >= [0-9]+ and .seq <= [0-9]+\\)' /tmp/${stem}.jsonl"
  "if the change is intended: drvsim run ${dir}/${stem}.yaml --update-golden")
set(rest "${all}")
foreach(re IN LISTS expect)
  string(REGEX MATCH "${re}.*" tail "${rest}")
  if(NOT tail)
    message(FATAL_ERROR "drvsim's output lacks (in order) '${re}'\n--- output ---\n${all}")
  endif()
  string(REGEX MATCH "${re}" hit "${tail}")
  set(group1 "${CMAKE_MATCH_1}")
  if(re MATCHES "^first difference")
    set(index ${group1})
  elseif(re MATCHES "^  this run")
    set(line "${group1}")
  endif()
  string(LENGTH "${hit}" hlen)
  string(SUBSTRING "${tail}" ${hlen} -1 rest)
endforeach()
if(all MATCHES "expect\\.values|expect\\.events")
  message(FATAL_ERROR "only the digest should differ (read latency +1us keeps the latency range)\n${all}")
endif()

# The real first difference: trace the original run and compare.
execute_process(COMMAND ${DRVSIM} run ${SOURCE_DIR}/scenarios/${stem}.yaml --no-progress --trace-json ${dir}/golden.jsonl
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET TIMEOUT 60)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the unchanged scenario failed (${rc})")
endif()
find_program(CMP cmp REQUIRED)  # diffutils: essential in Debian
execute_process(COMMAND ${CMP} ${dir}/golden.jsonl ${dir}/changed.jsonl OUTPUT_VARIABLE cmp_out ERROR_VARIABLE cmp_err)
if(NOT cmp_out MATCHES "differ: (byte|char) [0-9]+, line ([0-9]+)")
  message(FATAL_ERROR "cmp found no difference between the two traces: ${cmp_out}${cmp_err}")
endif()
math(EXPR first "${CMAKE_MATCH_2} - 1")
file(STRINGS ${dir}/changed.jsonl lines)
list(GET lines ${first} json)
if(NOT json MATCHES "\"seq\":${index}[,}]")
  message(FATAL_ERROR "drvsim names event #${index}, the traces first differ at line ${CMAKE_MATCH_2}: ${json}")
endif()
# The named event is that line: same component and kind.
if(NOT json MATCHES "\"comp\":\"([^\"]+)\"")
  message(FATAL_ERROR "no component in ${json}")
endif()
set(comp ${CMAKE_MATCH_1})
if(NOT json MATCHES "\"kind\":\"([^\"]+)\"")
  message(FATAL_ERROR "no kind in ${json}")
endif()
if(NOT line MATCHES " ${comp} ${CMAKE_MATCH_1}( |$)")
  message(FATAL_ERROR "drvsim names '${line}', the traces differ first at ${json}")
endif()
message(STATUS "${all}")
message(STATUS "first difference at event #${index}, as the traces show: ${line}")
