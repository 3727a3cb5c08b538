# Strict warnings on project code only; third-party headers come in as system headers.
function(drvsim_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
    -Wno-unused-parameter)
  if(DRVSIM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
