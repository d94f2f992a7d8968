#include <zlib.h>

static inline int czlib_inflate_init_gzip(z_stream *stream) {
    // 16 + MAX_WBITS: expect a gzip wrapper, not raw zlib.
    return inflateInit2(stream, 16 + MAX_WBITS);
}

static inline int czlib_deflate_init_gzip(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
}
