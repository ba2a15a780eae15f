// libFuzzer target: arbitrary bytes as a GGUF file. Anything but a tessera::error escaping,
// a sanitizer report, a timeout or an allocation over libFuzzer's limit is a finding.
// An accepted file is dequantized tensor by tensor with validation on, its string arrays
// (views of the input) are walked to the end, and its metadata is mapped onto a
// model_config and checked against its tensors, as `tessera inspect` does.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tessera/io/gguf.hpp"
#include "tessera/models/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const auto f = tessera::io::gguf_file::from_bytes(
            std::span<const std::byte>(reinterpret_cast<const std::byte*>(data), size), "fuzz.gguf");
        for (const auto& kv : f.metadata()) {
            const auto* a = kv.value.get_if<tessera::io::gguf_array>();
            const auto* strings = a ? a->get_if<std::string>() : nullptr;
            if (!strings) continue;
            std::size_t n = 0, bytes = 0;
            for (const std::string_view x : *strings) {
                ++n;
                bytes += x.size();
            }
            if (n != strings->size() || bytes > size) __builtin_trap();  // the reader validated every entry
        }
        for (const auto& t : f.tensors()) {
            try {
                const auto x = f.dequantize_f32(t.name, /*validate=*/true);
                (void)x;
            } catch (const tessera::error&) {  // invalid_data: keep going with the other tensors
            }
        }
        if (f.contains("general.architecture")) {
            const auto c = tessera::models::model_config::from_gguf(f);
            c.validate_against(tessera::models::tensor_listing(f), f.path());
        }
    } catch (const tessera::error&) {
    }
    return 0;
}
