/* Volumes: host directories bind-mounted into the container, so data
 * outlives it. */
#ifndef MYDOCKER_VOLUME_H
#define MYDOCKER_VOLUME_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

enum { MAX_VOLUMES = 32 };

struct volume {
    char host[PATH_MAX];
    char container[PATH_MAX]; /* normalised: "/a/b", no "." or ".." */
    bool read_only;
};

/* Parses HOST:CONTAINER[:ro|:rw]. 0, or -1 with the reason in err. */
int volume_parse(const char *spec, struct volume *v, char *err, size_t errlen);
/* Lexically normalises an absolute path: "//a/./b/../c/" -> "/a/c"; ".."
 * stops at "/". -1 if path is not absolute or does not fit. */
int path_normalise(const char *path, char *out, size_t len);
/* Refuses two volumes with the same container path. */
int volumes_check(const struct volume *v, int n, char *err, size_t errlen);

/* Parent, in the host: creates missing host directories (0755). */
int volumes_prepare(const struct volume *v, int n);
/* Child, in its own mount namespace, before pivot_root: mounts each volume
 * on its path inside newroot, resolved as the container would see it. */
int volumes_mount(const struct volume *v, int n, const char *newroot);

#endif
