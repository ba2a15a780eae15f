# Builds and runs one consumer project of tessera; run by CTest as `cmake -D... -P run_consumer.cmake`.
#
#   MODE                 find_package | add_subdirectory
#   TESSERA_SOURCE_DIR   tessera's source tree
#   TESSERA_BINARY_DIR   tessera's build tree (installed from, for find_package)
#   TESSERA_VERSION      the version the consumer must report
#   WORK_DIR             scratch folder, emptied first
#   GENERATOR, MAKE_PROGRAM, CXX_COMPILER, CXX_COMPILER_LAUNCHER   passed on from tessera's build
#   INSTALL_INCLUDEDIR, INSTALL_DATADIR   tessera's GNUInstallDirs (default include, share)
#
# find_package: `cmake --install` into WORK_DIR/prefix, then the consumer finds tessera there
# (CMAKE_PREFIX_PATH; the user package registry is switched off so nothing else can answer).
# add_subdirectory: the consumer adds the source tree; its CMakeLists checks that tessera's
# tests, examples, benchmarks and tools stay out, and this script checks nothing of theirs was built.
cmake_minimum_required(VERSION 3.20)

foreach(var MODE TESSERA_SOURCE_DIR TESSERA_BINARY_DIR TESSERA_VERSION WORK_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_consumer.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT MODE MATCHES "^(find_package|add_subdirectory)$")
  message(FATAL_ERROR "run_consumer.cmake: unknown MODE '${MODE}'")
endif()

# Runs a command; stops with its output if it fails. The output is left in `step_output`.
function(run_step what)
  string(TIMESTAMP t0 "%s")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  string(TIMESTAMP t1 "%s")
  math(EXPR dt "${t1} - ${t0}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${MODE}: ${what} failed (${rc}):\n  ${ARGN}\n${out}")
  endif()
  message(STATUS "${MODE}: ${what} (${dt} s)")
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")
set(build "${WORK_DIR}/build")

set(configure_args
  -S "${TESSERA_SOURCE_DIR}/tests/package/${MODE}" -B "${build}"
  -G "${GENERATOR}"
  "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
  -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON)
if(MAKE_PROGRAM)
  list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(CXX_COMPILER_LAUNCHER)
  list(APPEND configure_args "-DCMAKE_CXX_COMPILER_LAUNCHER=${CXX_COMPILER_LAUNCHER}")
endif()

if(MODE STREQUAL "find_package")
  run_step("install into ${prefix}" "${CMAKE_COMMAND}" --install "${TESSERA_BINARY_DIR}" --prefix "${prefix}")
  if(NOT INSTALL_INCLUDEDIR)
    set(INSTALL_INCLUDEDIR include)
  endif()
  if(NOT INSTALL_DATADIR)
    set(INSTALL_DATADIR share)
  endif()
  foreach(f ${INSTALL_INCLUDEDIR}/tessera/core/tensor.hpp
            ${INSTALL_DATADIR}/cmake/tessera/tesseraConfig.cmake
            ${INSTALL_DATADIR}/cmake/tessera/tesseraConfigVersion.cmake
            ${INSTALL_DATADIR}/cmake/tessera/tesseraTargets.cmake
            ${INSTALL_DATADIR}/cmake/tessera/TesseraDependencies.cmake)
    if(NOT EXISTS "${prefix}/${f}")
      message(FATAL_ERROR "find_package: install did not produce ${f}")
    endif()
  endforeach()
  list(APPEND configure_args "-DCMAKE_PREFIX_PATH=${prefix}")
else()
  list(APPEND configure_args "-DTESSERA_SOURCE_DIR=${TESSERA_SOURCE_DIR}")
endif()

run_step("configure consumer" "${CMAKE_COMMAND}" ${configure_args})

if(MODE STREQUAL "find_package")
  # The consumer must have found the package just installed, not some other copy.
  file(STRINGS "${build}/CMakeCache.txt" found_dir REGEX "^tessera_DIR:")
  string(REGEX REPLACE "^tessera_DIR:[A-Z]+=" "" found_dir "${found_dir}")
  file(REAL_PATH "${found_dir}" found_dir)
  file(REAL_PATH "${prefix}" real_prefix)
  string(FIND "${found_dir}/" "${real_prefix}/" at)
  if(NOT at EQUAL 0)
    message(FATAL_ERROR "find_package: tessera was found in '${found_dir}', not under '${real_prefix}'")
  endif()
endif()

run_step("build consumer" "${CMAKE_COMMAND}" --build "${build}")

if(MODE STREQUAL "add_subdirectory")
  # Nothing of tessera's own tests, examples, benchmarks or tools may have been generated or built.
  foreach(d tests examples bench tools bin)
    if(EXISTS "${build}/tessera/${d}")
      message(FATAL_ERROR "add_subdirectory: ${build}/tessera/${d} exists; tessera built more than its library")
    endif()
  endforeach()
  file(GLOB_RECURSE stray LIST_DIRECTORIES false "${build}/*test_core*" "${build}/*hello*")
  if(stray)
    message(FATAL_ERROR "add_subdirectory: tessera's own programs were built: ${stray}")
  endif()
endif()

run_step("run consumer" "${build}/tessera_consumer")
string(STRIP "${step_output}" step_output)
message(STATUS "${MODE}: consumer printed: ${step_output}")
string(REPLACE "." "\\." version_re "${TESSERA_VERSION}")
if(NOT step_output MATCHES "^tessera ${version_re} via ${MODE}: .* ok$")
  message(FATAL_ERROR "${MODE}: unexpected consumer output (wanted 'tessera ${TESSERA_VERSION} via ${MODE}: ... ok'):\n${step_output}")
endif()
