#include <zlib.h>

static inline int czlib_inflate_init_gzip(z_stream *stream) {
    // 16 + MAX_WBITS: expect a gzip wrapper, not raw zlib.
    return inflateInit2(stream, 16 + MAX_WBITS);
}
