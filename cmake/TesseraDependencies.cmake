# Finds tessera's dependencies; used by the build tree and by the installed package.
# Debian's xsimd 8.1 package exports a target that links to `xtl` without defining it;
# an empty INTERFACE target named xtl lets consumers link (xsimd does not need xtl).
include(CMakeFindDependencyMacro)
if(NOT TARGET xtl)
  add_library(xtl INTERFACE IMPORTED)
endif()
# Loaded by tesseraConfig.cmake (inside find_package), a missing dependency must make
# find_package(tessera) fail politely, which find_dependency does. Included by tessera's
# own CMakeLists.txt it must stop configuration with the dependency's name: find_dependency
# would only return from this file and leave a confusing "target not found" for later.
if(CMAKE_FIND_PACKAGE_NAME)
  macro(tessera_find_dependency)
    find_dependency(${ARGV})
  endmacro()
else()
  macro(tessera_find_dependency)
    find_package(${ARGV} REQUIRED)
  endmacro()
endif()
tessera_find_dependency(Eigen3 3.4 NO_MODULE)
tessera_find_dependency(xsimd 8.1)
tessera_find_dependency(nlohmann_json 3.10)
tessera_find_dependency(Threads)
