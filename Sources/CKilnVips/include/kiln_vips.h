// Plain C wrappers over libvips' variadic calls (Swift cannot call C variadics).
// Filled in by the imaging work (issue 3).
#ifndef KILN_VIPS_H
#define KILN_VIPS_H
int kiln_vips_init(void);
#endif
