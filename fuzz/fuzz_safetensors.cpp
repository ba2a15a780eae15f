// libFuzzer target: arbitrary bytes as a safetensors file. Anything but a tessera::error
// escaping, a sanitizer report, a timeout or an allocation over libFuzzer's limit is a finding.
// Every tensor of an accepted file is also converted to f32, so the validated ranges are read.
#include <cstddef>
#include <cstdint>
#include <span>

#include "tessera/io/safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const auto f = tessera::io::safetensors_file::from_bytes(
            std::span<const std::byte>(reinterpret_cast<const std::byte*>(data), size), "fuzz.safetensors");
        for (const auto& t : f.tensors()) {
            const auto x = f.load_f32(t.name);
            (void)x;
            (void)f.bytes(t.name);
        }
    } catch (const tessera::error&) {
    }
    return 0;
}
