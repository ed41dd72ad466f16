#include <vips/vips.h>
#include <vips/vector.h>  // vips_vector_set_enabled: exported, but vips.h leaves it out
#include "kiln_vips.h"
#include "kiln_vips_internal.h"

static gpointer init_once(gpointer unused) {
    (void) unused;
    // VIPS_INIT is a macro that also checks ABI; calling it twice is wasteful, so g_once guards it.
    if (VIPS_INIT("kiln") != 0) return GINT_TO_POINTER(2);
    // libvips' orc (SIMD) paths are switched off, as VIPS_NOVECTOR=1 does, because with them
    // concurrent derives corrupt the heap. Each distinct shrink factor makes vips_reducev compile
    // new orc programs. libvips 8.14 serialises the compile (vips__global_lock), during which orc
    // 0.4.33 takes a code-memory chunk from its shared list under orc's global mutex; but the
    // programs are freed when the pipeline's last reference goes (vips_vector_free ← reducev
    // finalize ← g_object_unref, on whichever thread drops it), and orc_code_chunk_free edits
    // that same list, merging and free()ing neighbours, without any lock. Helgrind reports the
    // two racing on the chunk records; the crashes were malloc ← orc_program_compile_full.
    // Kiln cannot take orc's mutex around libvips' internal frees, so it avoids orc instead; the
    // C paths give the same pixels, and for small images are faster (no compile per new scale).
    vips_vector_set_enabled(FALSE);
    return GINT_TO_POINTER(1);
}

int kiln_vips_init(void) {
    static GOnce once = G_ONCE_INIT;
    g_once(&once, init_once, NULL);
    return GPOINTER_TO_INT(once.retval) == 1 ? 0 : -1;
}

// The error buffer is process-wide; copying and clearing in one call avoids mixing threads' errors.
char *kiln_vips_error_copy(void) { return vips_error_buffer_copy(); }
void kiln_vips_free(void *pointer) { g_free(pointer); }
void kiln_vips_unref(kiln_image *image) { if (image) g_object_unref(image); }
void kiln_vips_set_concurrency(int threads) { vips_concurrency_set(threads); }
int kiln_vips_vector_enabled(void) { return vips_vector_isenabled() ? 1 : 0; }
void kiln_vips_cache_set_max(int operations, size_t bytes) {
    vips_cache_set_max(operations);
    vips_cache_set_max_mem(bytes);
}

int kiln__as_srgb(VipsImage *in, VipsImage **out) {
    return vips_copy(in, out, "interpretation", VIPS_INTERPRETATION_sRGB, NULL);
}

// libvips reads caller memory lazily, so the bytes are copied into a blob the source keeps alive.
static VipsSource *source_copying(const void *data, size_t length) {
    VipsBlob *blob = vips_blob_copy(data, length);
    VipsSource *source = vips_source_new_from_blob(blob);
    vips_area_unref(VIPS_AREA(blob));
    return source;
}

// vips_image_new_from_source is variadic. Sequential access streams the decode (a PNG is not
// decoded whole into memory first) but allows only top-to-bottom pipelines. "fail_on error": a
// damaged file (bad compressed data, a truncated scan) is an error, not a warning and a picture
// of garbage.
kiln_image *kiln_vips_new_from_buffer(const void *data, size_t length, int sequential) {
    VipsSource *source = source_copying(data, length);
    if (!source) return NULL;
    VipsImage *image = sequential
        ? vips_image_new_from_source(source, "", "access", VIPS_ACCESS_SEQUENTIAL,
                                     "fail_on", VIPS_FAIL_ON_ERROR, NULL)
        : vips_image_new_from_source(source, "", "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    g_object_unref(source);
    return image;
}

// Reads only the header straight from the caller's memory (no copy): safe because the image is
// dropped before returning, so nothing can read the bytes later.
int kiln_vips_header_size(const void *data, size_t length, int *width, int *height) {
    VipsSource *source = vips_source_new_from_memory(data, length);
    if (!source) return -1;
    VipsImage *image = vips_image_new_from_source(source, "", "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    g_object_unref(source);
    if (!image) return -1;
    int swap = vips_image_get_orientation_swap(image);
    *width = swap ? image->Ysize : image->Xsize;
    *height = swap ? image->Xsize : image->Ysize;
    g_object_unref(image);
    return 0;
}

int kiln_vips_orientation(kiln_image *image) {
    return vips_image_get_orientation(image);
}

// vips_autorot is variadic.
int kiln_vips_autorot(kiln_image *in, kiln_image **out) {
    return vips_autorot(in, out, NULL);
}

// _copy so Swift's buffer may go away at once.
kiln_image *kiln_vips_new_from_memory(const void *data, size_t length, int width, int height, int bands) {
    VipsImage *raw = vips_image_new_from_memory_copy(data, length, width, height, bands, VIPS_FORMAT_UCHAR);
    if (!raw) return NULL;
    VipsImage *out = NULL;
    int failed = kiln__as_srgb(raw, &out);
    g_object_unref(raw);
    return failed ? NULL : out;
}

// vips_black then vips_linear (variadic) to the ink, cast to uchar, tagged sRGB.
kiln_image *kiln_vips_canvas(int width, int height, const double *ink, int bands) {
    VipsImage *context = vips_image_new();
    VipsImage **t = (VipsImage **) vips_object_local_array(VIPS_OBJECT(context), 3);
    double zeros[4] = {0, 0, 0, 0};
    VipsImage *out = NULL;
    if (vips_black(&t[0], width, height, "bands", bands, NULL) ||
        vips_linear(t[0], &t[1], zeros, (double *) ink, bands, "uchar", TRUE, NULL) ||
        kiln__as_srgb(t[1], &out)) {
        out = NULL;
    }
    g_object_unref(context);
    return out;
}

int kiln_vips_width(const kiln_image *image) { return vips_image_get_width(image); }
int kiln_vips_height(const kiln_image *image) { return vips_image_get_height(image); }
int kiln_vips_bands(const kiln_image *image) { return vips_image_get_bands(image); }
int kiln_vips_has_alpha(kiln_image *image) { return vips_image_hasalpha(image) ? 1 : 0; }

// vips_colourspace and vips_cast are variadic; skip both when the image is already 8-bit sRGB.
int kiln_vips_to_srgb8(kiln_image *in, kiln_image **out) {
    VipsInterpretation kind = vips_image_get_interpretation(in);
    if (in->BandFmt == VIPS_FORMAT_UCHAR && in->Bands >= 3 && kind == VIPS_INTERPRETATION_sRGB) {
        g_object_ref(in);
        *out = in;
        return 0;
    }
    VipsImage *context = vips_image_new();
    VipsImage **t = (VipsImage **) vips_object_local_array(VIPS_OBJECT(context), 2);
    int failed = vips_colourspace(in, &t[0], VIPS_INTERPRETATION_sRGB, NULL) ||
                 vips_cast(t[0], &t[1], VIPS_FORMAT_UCHAR, NULL) ||
                 kiln__as_srgb(t[1], out);
    g_object_unref(context);
    return failed ? -1 : 0;
}

// Crops or edge-extends by the odd pixel rounding can leave, so callers get exactly what they asked.
static int exact(VipsImage *in, VipsImage **out, int width, int height) {
    if (in->Xsize == width && in->Ysize == height) { g_object_ref(in); *out = in; return 0; }
    VipsImage *cut = NULL;
    int w = VIPS_MIN(width, in->Xsize), h = VIPS_MIN(height, in->Ysize);
    if (vips_extract_area(in, &cut, 0, 0, w, h, NULL)) return -1;
    int failed = vips_embed(cut, out, 0, 0, width, height, "extend", VIPS_EXTEND_COPY, NULL);
    g_object_unref(cut);
    return failed;
}

// vips_thumbnail_image premultiplies alpha while shrinking; FORCE ignores aspect (the caller already
// computed the box), crop CENTRE covers then cuts the middle.
int kiln_vips_resize_exact(kiln_image *in, kiln_image **out, int width, int height, int crop_centre) {
    VipsImage *scaled = NULL;
    int failed = crop_centre
        ? vips_thumbnail_image(in, &scaled, width, "height", height, "size", VIPS_SIZE_BOTH,
                               "crop", VIPS_INTERESTING_CENTRE, NULL)
        : vips_thumbnail_image(in, &scaled, width, "height", height, "size", VIPS_SIZE_FORCE, NULL);
    if (failed) return -1;
    failed = exact(scaled, out, width, height);
    g_object_unref(scaled);
    return failed;
}

// vips_thumbnail_source is variadic; unlike thumbnail_image it can shrink while decoding (jpeg, webp)
// and streams the rest, which is the fast path for a derive that only resizes.
int kiln_vips_thumbnail_buffer(const void *data, size_t length, kiln_image **out, int width, int height,
                               int crop_centre) {
    VipsSource *source = source_copying(data, length);
    if (!source) return -1;
    VipsImage *scaled = NULL;
    int failed = crop_centre
        ? vips_thumbnail_source(source, &scaled, width, "height", height, "size", VIPS_SIZE_BOTH,
                                "crop", VIPS_INTERESTING_CENTRE, NULL)
        : vips_thumbnail_source(source, &scaled, width, "height", height, "size", VIPS_SIZE_FORCE, NULL);
    g_object_unref(source);
    if (failed) return -1;
    failed = exact(scaled, out, width, height);
    g_object_unref(scaled);
    return failed;
}

// vips_extract_area is variadic.
int kiln_vips_crop(kiln_image *in, kiln_image **out, int x, int y, int width, int height) {
    return vips_extract_area(in, out, x, y, width, height, NULL);
}

// vips_embed is variadic and takes its background as a VipsArrayDouble.
int kiln_vips_embed(kiln_image *in, kiln_image **out, int x, int y, int width, int height,
                    const double *ink, int bands) {
    VipsArrayDouble *background = vips_array_double_new(ink, bands);
    int failed = vips_embed(in, out, x, y, width, height, "extend", VIPS_EXTEND_BACKGROUND,
                            "background", background, NULL);
    vips_area_unref(VIPS_AREA(background));
    return failed;
}

// vips_flatten is variadic; its result is float-free for uchar input but cast anyway for the savers.
int kiln_vips_flatten(kiln_image *in, kiln_image **out, double r, double g, double b) {
    double rgb[3] = {r, g, b};
    VipsArrayDouble *background = vips_array_double_new(rgb, 3);
    VipsImage *flat = NULL;
    int failed = vips_flatten(in, &flat, "background", background, NULL);
    vips_area_unref(VIPS_AREA(background));
    if (failed) return -1;
    failed = kiln_vips_to_srgb8(flat, out);
    g_object_unref(flat);
    return failed;
}

// vips_bandjoin_const1 is variadic.
int kiln_vips_add_alpha(kiln_image *in, kiln_image **out) {
    return vips_bandjoin_const1(in, out, 255.0, NULL);
}

// vips_composite2 is variadic and may return float; the result is brought back to 8-bit sRGB.
int kiln_vips_composite(kiln_image *base, kiln_image *overlay, kiln_image **out, int x, int y) {
    VipsImage *mixed = NULL;
    if (vips_composite2(base, overlay, &mixed, VIPS_BLEND_MODE_OVER, "x", x, "y", y, NULL)) return -1;
    int failed = kiln_vips_to_srgb8(mixed, out);
    g_object_unref(mixed);
    return failed;
}

// A thumbnail (and any sequential source) can be read once; a memory copy can be read any number of times.
int kiln_vips_materialize(kiln_image *in, kiln_image **out) {
    VipsImage *copy = vips_image_copy_memory(in);
    if (!copy) return -1;
    *out = copy;
    return 0;
}

// vips_getpoint is variadic and allocates its result.
int kiln_vips_getpoint(kiln_image *in, int x, int y, double *values, int capacity, int *count) {
    double *vector = NULL;
    int n = 0;
    if (vips_getpoint(in, &vector, &n, x, y, NULL)) return -1;
    for (int i = 0; i < n && i < capacity; i++) values[i] = vector[i];
    *count = n;
    g_free(vector);
    return 0;
}

static int save(VipsImage *in, kiln_format format, int q, int strip, void **buffer, size_t *length) {
    switch (format) {
    case KILN_PNG:
        return vips_pngsave_buffer(in, buffer, length, "compression", 6, "strip", strip ? TRUE : FALSE, NULL);
    case KILN_JPEG:
        return q ? vips_jpegsave_buffer(in, buffer, length, "Q", q, "strip", strip ? TRUE : FALSE, NULL)
                 : vips_jpegsave_buffer(in, buffer, length, "strip", strip ? TRUE : FALSE, NULL);
    case KILN_WEBP:
        return q ? vips_webpsave_buffer(in, buffer, length, "Q", q, "strip", strip ? TRUE : FALSE, NULL)
                 : vips_webpsave_buffer(in, buffer, length, "strip", strip ? TRUE : FALSE, NULL);
    }
    vips_error("kiln", "unknown format %d", (int) format);
    return -1;
}

// The savers are variadic; options are passed only when set so each encoder keeps its own default.
// With strip, libvips' png and jpeg savers drop EXIF, XMP, IPTC, ICC and comments themselves; its
// webp saver still writes an EXIF chunk, so the chunks are cut out of the encoded WebP afterwards.
int kiln_vips_save(kiln_image *in, kiln_format format, int quality, int strip, void **buffer, size_t *length) {
    int q = quality > 0 ? VIPS_CLIP(1, quality, 100) : 0;
    if (save(in, format, q, strip, buffer, length)) return -1;
    if (strip && format == KILN_WEBP && kiln__webp_strip_metadata(*buffer, length)) {
        g_free(*buffer);
        *buffer = NULL;
        return -1;
    }
    return 0;
}
