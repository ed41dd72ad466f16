// Drawing helpers for the offline placeholder renderer, split from kiln_vips.c to keep files small.
#include <vips/vips.h>
#include "kiln_vips.h"
#include "kiln_vips_internal.h"


// vips_text is variadic and reads Pango markup, so plain text is escaped first; the 1-band
// coverage it returns becomes the alpha of a solid-colour layer.
int kiln_vips_text_layer(kiln_image **out, const char *text, const char *font, int width,
                         double r, double g, double b) {
    gchar *escaped = g_markup_escape_text(text, -1);
    VipsImage *context = vips_image_new();
    VipsImage **t = (VipsImage **) vips_object_local_array(VIPS_OBJECT(context), 3);
    double rgb[3] = {r, g, b};
    int failed = vips_text(&t[0], escaped, "font", font, "width", width, "dpi", 72, NULL);
    g_free(escaped);
    if (!failed) {
        t[1] = vips_image_new_from_image(t[0], rgb, 3);
        failed = !t[1] || vips_bandjoin2(t[1], t[0], &t[2], NULL) || kiln__as_srgb(t[2], out);
    }
    g_object_unref(context);
    return failed ? -1 : 0;
}

// Several variadic steps: editable = alpha < 128; outline = dilate(editable) xor editable;
// layer alpha = outline, or 30% over the editable region.
int kiln_vips_mask_overlay(kiln_image *mask, kiln_image **out, double r, double g, double b) {
    VipsImage *context = vips_image_new();
    VipsImage **t = (VipsImage **) vips_object_local_array(VIPS_OBJECT(context), 8);
    double rgb[3] = {r, g, b};
    int failed = vips_extract_band(mask, &t[0], mask->Bands - 1, NULL) ||
        vips_relational_const1(t[0], &t[1], VIPS_OPERATION_RELATIONAL_LESS, 128, NULL) ||
        vips_rank(t[1], &t[2], 9, 9, 80, NULL) ||
        vips_boolean(t[2], t[1], &t[3], VIPS_OPERATION_BOOLEAN_EOR, NULL) ||
        vips_linear1(t[1], &t[4], 0.3, 0, "uchar", TRUE, NULL) ||
        vips_boolean(t[3], t[4], &t[5], VIPS_OPERATION_BOOLEAN_OR, NULL);
    if (!failed) {
        t[6] = vips_image_new_from_image(t[5], rgb, 3);
        failed = !t[6] || vips_bandjoin2(t[6], t[5], &t[7], NULL) || kiln__as_srgb(t[7], out);
    }
    g_object_unref(context);
    return failed ? -1 : 0;
}

// Metadata is set on a copy (images are immutable once shared); png savers write "png-comment-N-key".
int kiln_vips_set_string(kiln_image *in, kiln_image **out, const char *name, const char *value) {
    if (vips_copy(in, out, NULL)) return -1;
    vips_image_set_string(*out, name, value);
    return 0;
}
