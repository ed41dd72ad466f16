// Plain C wrappers over libvips for Swift, which cannot call C variadic functions.
// vips.h stays out of this header: Swift sees `kiln_image *` as an OpaquePointer and never parses glib.
// Every function returning int returns 0 on success and -1 on failure; the reason is then in
// libvips' process-wide error buffer, read (and cleared) with kiln_vips_error_copy().
#ifndef KILN_VIPS_H
#define KILN_VIPS_H
#include <stddef.h>

typedef struct _VipsImage kiln_image;

/// Initialises libvips once per process (g_once); safe from any thread. 0 on success.
/// Also turns off libvips' orc (SIMD) code paths, which crash under concurrent use (see kiln_vips.c).
int kiln_vips_init(void);
/// Whether libvips may use orc-compiled code: 0 after kiln_vips_init.
int kiln_vips_vector_enabled(void);
/// Copies and clears the error buffer; free the result with kiln_vips_free.
char *kiln_vips_error_copy(void);
void kiln_vips_free(void *pointer);
void kiln_vips_unref(kiln_image *image);
void kiln_vips_set_concurrency(int threads);
void kiln_vips_cache_set_max(int operations, size_t bytes);

/// Decodes png/jpeg/webp (header only until pixels are needed) from a private copy of the bytes;
/// `sequential` streams the pixels for a single top-to-bottom pass.
kiln_image *kiln_vips_new_from_buffer(const void *data, size_t length, int sequential);
/// Reads the width and height the image shows at from the header, without copying the bytes:
/// swapped when its EXIF orientation turns it a quarter turn.
int kiln_vips_header_size(const void *data, size_t length, int *width, int *height);
/// The EXIF orientation tag, 1 (upright) to 8; 1 when there is none.
int kiln_vips_orientation(kiln_image *image);
/// Turns the image upright by its orientation tag and drops the tag.
int kiln_vips_autorot(kiln_image *in, kiln_image **out);
/// Decodes and resizes in one pass (shrink-on-load where the format allows), exactly width×height;
/// with crop_centre, covers the box and crops the centre.
int kiln_vips_thumbnail_buffer(const void *data, size_t length, kiln_image **out, int width, int height,
                               int crop_centre);
/// An 8-bit sRGB image from interleaved pixels (3 or 4 bands), copied.
kiln_image *kiln_vips_new_from_memory(const void *data, size_t length, int width, int height, int bands);
/// A canvas filled with `ink` (3 or 4 values, 0–255), 8-bit sRGB.
kiln_image *kiln_vips_canvas(int width, int height, const double *ink, int bands);

int kiln_vips_width(const kiln_image *image);
int kiln_vips_height(const kiln_image *image);
int kiln_vips_bands(const kiln_image *image);
int kiln_vips_has_alpha(kiln_image *image);

/// Converts to 8-bit sRGB (grey, CMYK, 16-bit, float in; 3 or 4 bands out).
int kiln_vips_to_srgb8(kiln_image *in, kiln_image **out);
/// Resizes to exactly width×height; with crop_centre, scales to cover and crops the centre.
int kiln_vips_resize_exact(kiln_image *in, kiln_image **out, int width, int height, int crop_centre);
int kiln_vips_crop(kiln_image *in, kiln_image **out, int x, int y, int width, int height);
/// Places `in` at x,y on a width×height canvas of `ink` (as many values as `in` has bands).
int kiln_vips_embed(kiln_image *in, kiln_image **out, int x, int y, int width, int height,
                    const double *ink, int bands);
/// Removes alpha by blending onto r,g,b.
int kiln_vips_flatten(kiln_image *in, kiln_image **out, double r, double g, double b);
/// Appends an opaque alpha band.
int kiln_vips_add_alpha(kiln_image *in, kiln_image **out);
/// `overlay` over `base` at x,y (Porter-Duff over), 8-bit sRGB with alpha out.
int kiln_vips_composite(kiln_image *base, kiln_image *overlay, kiln_image **out, int x, int y);
/// Plain text (markup escaped here) rendered with `font` (Pango description) wrapped at `width`,
/// as an RGBA layer in r,g,b. Fails when no font can render.
int kiln_vips_text_layer(kiln_image **out, const char *text, const char *font, int width,
                         double r, double g, double b);
/// For an RGBA mask: an RGBA layer that tints the editable region (alpha < 128) and outlines it.
int kiln_vips_mask_overlay(kiln_image *mask, kiln_image **out, double r, double g, double b);
/// Computes the pixels into memory, so a lazily read (thumbnail) result can be read again.
int kiln_vips_materialize(kiln_image *in, kiln_image **out);
/// Reads one pixel: writes up to `capacity` band values and sets *count to the band count.
int kiln_vips_getpoint(kiln_image *in, int x, int y, double *values, int capacity, int *count);

/// A copy of `in` carrying the string metadata field `name` (e.g. "png-comment-0-note").
int kiln_vips_set_string(kiln_image *in, kiln_image **out, const char *name, const char *value);

typedef enum { KILN_PNG = 0, KILN_JPEG = 1, KILN_WEBP = 2 } kiln_format;
/// Encodes; quality 1–100 (jpeg/webp, <= 0: encoder default). strip writes no EXIF, XMP, IPTC, ICC
/// profile or comments; otherwise the image's metadata is written.
/// Free *buffer with kiln_vips_free.
int kiln_vips_save(kiln_image *in, kiln_format format, int quality, int strip, void **buffer, size_t *length);

#endif
