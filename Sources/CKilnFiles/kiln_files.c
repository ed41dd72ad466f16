// The extended-attribute calls are inline in include/kiln_files.h; the read that never waits is
// here, where _GNU_SOURCE (for `preadv2`) stays out of the module the header makes.
#define _GNU_SOURCE
#include <errno.h>
#include <sys/uio.h>
#include "kiln_files.h"

ssize_t kiln_pread_cached(int fd, void *buffer, size_t count, off_t offset) {
#if defined(__linux__) && defined(RWF_NOWAIT)
    struct iovec piece = { buffer, count };
    return preadv2(fd, &piece, 1, offset, RWF_NOWAIT);
#else
    (void)fd; (void)buffer; (void)count; (void)offset;
    errno = ENOTSUP;
    return -1;
#endif
}
