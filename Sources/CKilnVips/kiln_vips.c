#include <vips/vips.h>
#include "kiln_vips.h"

int kiln_vips_init(void) { return VIPS_INIT("kiln"); }
