// Helpers shared between the shim's C files; Swift never sees this header (it is not in include/).
#ifndef KILN_VIPS_INTERNAL_H
#define KILN_VIPS_INTERNAL_H
#include <stddef.h>
#include <vips/vips.h>

/// Tags an image sRGB: images from raw memory or vips_black say B_W/MULTIBAND, and has-alpha then
/// lies. 0 on success.
int kiln__as_srgb(VipsImage *in, VipsImage **out);

/// Removes the EXIF, XMP and ICCP chunks from an encoded WebP in place and shortens *length.
/// 0 on success; -1 (reason in the vips error buffer) when the bytes are not a well-formed WebP.
int kiln__webp_strip_metadata(void *buffer, size_t *length);

#endif
