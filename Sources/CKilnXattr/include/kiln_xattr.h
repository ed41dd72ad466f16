#ifndef KILN_XATTR_H
#define KILN_XATTR_H

// Extended attributes on an open file, for `ImageSeal`: Glibc's Swift module leaves out
// <sys/xattr.h>, and Darwin's calls take two more arguments. Each returns what the call does
// (-1 and errno on failure, ENOTSUP where the filesystem takes none).
#include <stddef.h>
#include <sys/types.h>
#include <sys/xattr.h>

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

#endif
