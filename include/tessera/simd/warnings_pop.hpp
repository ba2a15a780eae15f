// No include guard: closes what simd/warnings_push.hpp opened.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic pop
#endif
