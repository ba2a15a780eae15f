// tessera_bench: Google Benchmark main that first prints what runs here (SIMD level,
// OpenBLAS kernel), so every recorded result says which code paths it measured.
#include <benchmark/benchmark.h>

#include <cstdio>

#include <xsimd/xsimd.hpp>

#ifdef TESSERA_BENCH_OPENBLAS
extern "C" char* openblas_get_corename(void);
extern "C" char* openblas_get_config(void);
#endif

int main(int argc, char** argv) {
    std::printf("tessera SIMD arch: %s\n", xsimd::default_arch::name());
#ifdef TESSERA_BENCH_OPENBLAS
    std::printf("OpenBLAS core: %s (%s)\n", openblas_get_corename(), openblas_get_config());
#endif
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
