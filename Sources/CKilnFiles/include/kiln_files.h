#ifndef KILN_FILES_H
#define KILN_FILES_H

// File calls Glibc's Swift module leaves out, or that differ between platforms. Each returns what
// the call does (-1 and errno on failure).
#include <stddef.h>
#include <sys/types.h>
#include <sys/xattr.h>

// Extended attributes on an open file, for `ImageSeal`: Glibc's module leaves out <sys/xattr.h>,
// and Darwin's calls take two more arguments. ENOTSUP where the filesystem takes none.
static inline int kiln_fsetxattr(int fd, const char *name, const void *value, size_t size) {
#ifdef __APPLE__
    return fsetxattr(fd, name, value, size, 0, 0);
#else
    return fsetxattr(fd, name, value, size, 0);
#endif
}

static inline ssize_t kiln_fgetxattr(int fd, const char *name, void *value, size_t size) {
#ifdef __APPLE__
    return fgetxattr(fd, name, value, size, 0, 0);
#else
    return fgetxattr(fd, name, value, size);
#endif
}

// Up to `count` bytes at `offset`, read only from the page cache, never waiting for the disk:
// `preadv2` with RWF_NOWAIT (Linux 4.14). -1 with EAGAIN when the first bytes are not in memory,
// a short count when only some are; -1 with ENOTSUP where the call or the flag is missing.
// (In kiln_files.c: `preadv2` needs _GNU_SOURCE, which must not reach this header's module.)
ssize_t kiln_pread_cached(int fd, void *buffer, size_t count, off_t offset);

#endif
