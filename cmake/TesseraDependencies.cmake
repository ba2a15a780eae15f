# Finds tessera's dependencies; used by the build tree and by the installed package.
# Debian's xsimd 8.1 package exports a target that links to `xtl` without defining it;
# an empty INTERFACE target named xtl lets consumers link (xsimd does not need xtl).
include(CMakeFindDependencyMacro)
if(NOT TARGET xtl)
  add_library(xtl INTERFACE IMPORTED)
endif()
find_dependency(Eigen3 3.4 NO_MODULE)
find_dependency(xsimd 8.1)
find_dependency(nlohmann_json 3.10)
find_dependency(Threads)
