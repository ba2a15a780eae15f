#pragma once
// tessera's version. CMakeLists.txt reads these three lines, so this is the only place
// the number is written.
#define TESSERA_VERSION_MAJOR 0
#define TESSERA_VERSION_MINOR 1
#define TESSERA_VERSION_PATCH 0

namespace tessera {
inline constexpr int version_major = TESSERA_VERSION_MAJOR;
inline constexpr int version_minor = TESSERA_VERSION_MINOR;
inline constexpr int version_patch = TESSERA_VERSION_PATCH;
inline constexpr const char* version_string = "0.1.0";
}  // namespace tessera
