// The calls are inline in include/kiln_xattr.h; a C target needs one source file.
#include "kiln_xattr.h"
