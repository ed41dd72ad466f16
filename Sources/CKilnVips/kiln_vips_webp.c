// Removes metadata chunks from an encoded WebP, split from kiln_vips.c to keep files small.
//
// Why: libvips 8.14's webp saver ignores "strip" for EXIF. It always runs its EXIF update, which
// makes a fresh EXIF block when the image has none, and writes an EXIF chunk (with the source's
// fields when they are still attached). Removing the fields first does not help, so Kiln edits the
// container instead: the RIFF chunk list (https://developers.google.com/speed/webp/docs/riff_container)
// is simple and the pixels (VP8/VP8L/ALPH/ANIM chunks) are left byte for byte.
#include <string.h>
#include <vips/vips.h>
#include "kiln_vips_internal.h"

// VP8X flag bits (first payload byte) for the chunks removed here.
enum { FLAG_ICC = 0x20, FLAG_EXIF = 0x08, FLAG_XMP = 0x04 };

static guint32 read_le32(const guint8 *p) {
    return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static void write_le32(guint8 *p, guint32 value) {
    p[0] = value & 0xFF; p[1] = (value >> 8) & 0xFF; p[2] = (value >> 16) & 0xFF; p[3] = value >> 24;
}

static int is_metadata(const guint8 *fourcc) {
    return !memcmp(fourcc, "EXIF", 4) || !memcmp(fourcc, "XMP ", 4) || !memcmp(fourcc, "ICCP", 4);
}

// Drops EXIF, XMP and ICCP chunks in place, clears their VP8X flags and fixes the RIFF size: the
// same set libvips' png and jpeg savers leave out with strip (a WebP without a profile reads as sRGB).
int kiln__webp_strip_metadata(void *buffer, size_t *length) {
    guint8 *bytes = buffer;
    size_t size = *length;
    if (size < 12 || memcmp(bytes, "RIFF", 4) || memcmp(bytes + 8, "WEBP", 4) ||
        (size_t) read_le32(bytes + 4) + 8 != size) {
        vips_error("kiln", "%s", "the webp encoder wrote an unexpected container; cannot strip its metadata");
        return -1;
    }
    size_t read = 12, write = 12;
    guint8 *vp8x = NULL;
    while (read < size) {
        if (size - read < 8) break;
        size_t payload = read_le32(bytes + read + 4);
        size_t chunk = 8 + payload + (payload & 1);
        if (chunk > size - read) break;
        if (is_metadata(bytes + read)) {
            read += chunk;
            continue;
        }
        memmove(bytes + write, bytes + read, chunk);
        if (!memcmp(bytes + write, "VP8X", 4) && payload >= 1) vp8x = bytes + write;
        read += chunk;
        write += chunk;
    }
    if (read != size) {
        vips_error("kiln", "%s", "the webp encoder wrote a truncated chunk; cannot strip its metadata");
        return -1;
    }
    if (vp8x) vp8x[8] &= (guint8) ~(FLAG_ICC | FLAG_EXIF | FLAG_XMP);
    write_le32(bytes + 4, (guint32) (write - 8));
    *length = write;
    return 0;
}
