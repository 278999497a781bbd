# Fails if an object compiled for one SIMD path (src/simd/*_kernels.cpp) defines a global or
# weak symbol outside its own namespace cyberloss::simd::<path>, or needs one from elsewhere
# other than the C library's memory functions. Such a symbol (an inline function or template
# instantiated from a shared header) could be merged by the linker with the copy used by code
# that must run on every CPU, and execute AVX2 or AVX-512 instructions there.
# With OBJDUMP, also fails if the disassembly has a fused multiply-add (the paths must round
# a*b+c twice, as the baseline does), or registers wider than the path allows (baseline: none
# of ymm/zmm; avx2: no zmm).
#   cmake -DNM=nm [-DOBJDUMP=objdump] -DSIMD_PATH=avx2 "-DOBJECTS=a.o|b.o" \
#         -P check_kernel_symbols.cmake
string(REPLACE "|" ";" objects "${OBJECTS}")
if(OBJDUMP)
  set(OBJDUMP_NOTE "; no fused multiply-add, no register wider than the path")
endif()
set(own "cyberloss::simd::${SIMD_PATH}::")
set(bad "")
foreach(obj IN LISTS objects)
  execute_process(COMMAND ${NM} -C --defined-only ${obj} OUTPUT_VARIABLE defined RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${NM} failed on ${obj}")
  endif()
  execute_process(COMMAND ${NM} -C -u ${obj} OUTPUT_VARIABLE needed)
  string(REPLACE "\n" ";" defined "${defined}")
  string(REPLACE "\n" ";" needed "${needed}")
  foreach(line IN LISTS defined)
    # "address type name": global (upper case) and unique/weak (u, v, w) symbols must be ours.
    if(line MATCHES "^[0-9a-fA-F]+ ([A-Zuvw]) (.*)$")
      set(name "${CMAKE_MATCH_2}")  # the next MATCHES resets CMAKE_MATCH_*
      if(NOT name MATCHES "^${own}")
        list(APPEND bad "${obj}: defines ${name}")
      endif()
    endif()
  endforeach()
  foreach(line IN LISTS needed)
    if(line MATCHES "U (.*)$")
      set(name "${CMAKE_MATCH_1}")
      if(NOT name MATCHES "^(${own}|memcpy$|memset$|memmove$)")
        list(APPEND bad "${obj}: needs ${name}")
      endif()
    endif()
  endforeach()
  if(OBJDUMP)
    execute_process(COMMAND ${OBJDUMP} -d --no-show-raw-insn ${obj} OUTPUT_VARIABLE code)
    if(code MATCHES "vf(n)?m(add|sub)[0-9a-z]*")
      list(APPEND bad "${obj}: has a fused multiply-add (${CMAKE_MATCH_0})")
    endif()
    if(SIMD_PATH STREQUAL "baseline" AND code MATCHES "%[yz]mm[0-9]+")
      list(APPEND bad "${obj}: uses ${CMAKE_MATCH_0} on the baseline path")
    endif()
    if(SIMD_PATH STREQUAL "avx2" AND code MATCHES "%zmm[0-9]+")
      list(APPEND bad "${obj}: uses ${CMAKE_MATCH_0} on the AVX2 path")
    endif()
  endif()
endforeach()
list(LENGTH objects count)
if(bad)
  string(REPLACE ";" "\n  " bad "${bad}")
  message(FATAL_ERROR "kernel objects of path ${SIMD_PATH} break its rules:\n  ${bad}")
endif()
message(STATUS "${count} kernel objects of path ${SIMD_PATH}: every symbol in ${own}"
               "${OBJDUMP_NOTE}")
