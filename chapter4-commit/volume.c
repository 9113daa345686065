#include "volume.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

enum { VOLUME_DIR_MODE = 0755 };

/* The new mount API (Linux 5.2; mount_setattr 5.12) and openat2 (5.6).
 * glibc has wrappers and names for some of them only since 2.36, so we
 * call the kernel through syscall() and name what older headers lack
 * ourselves: numbers and flags are the kernel's ABI, the same on every
 * architecture we build for. (linux/mount.h has them too, but clashes
 * with glibc 2.36's sys/mount.h.) */
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef OPEN_TREE_CLONE /* glibc < 2.36: none of the below */
#define OPEN_TREE_CLONE         1
#define OPEN_TREE_CLOEXEC       O_CLOEXEC
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#define MOUNT_ATTR_RDONLY       0x00000001
#endif

/* Where a volume must not go: "/" would hide the image, and these are the
 * kernel's interfaces, mounted fresh at every start. */
static const char *const forbidden[] = {"/proc", "/sys", "/dev"};

int path_normalise(const char *path, char *out, size_t len)
{
    size_t n = 0; /* out holds "" or "/a/b": n bytes, no trailing slash */

    if (path[0] != '/' || len < 2)
        return -1;
    out[0] = '\0';
    while (*path) {
        const char *start;
        size_t comp;

        while (*path == '/')
            path++;
        start = path;
        while (*path && *path != '/')
            path++;
        comp = (size_t)(path - start);
        if (comp == 0 || (comp == 1 && start[0] == '.'))
            continue;
        if (comp == 2 && start[0] == '.' && start[1] == '.') {
            /* Back to the slash before the last component; at "/", stay. */
            while (n > 0 && out[--n] != '/')
                ;
            out[n] = '\0';
            continue;
        }
        if (n + 1 + comp + 1 > len)
            return -1;
        out[n++] = '/';
        memcpy(out + n, start, comp);
        n += comp;
        out[n] = '\0';
    }
    if (n == 0)
        snprintf(out, len, "/");
    return 0;
}

/* path is normalised: "/" or "/a/b". */
static bool container_path_allowed(const char *path)
{
    if (strcmp(path, "/") == 0)
        return false;
    for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
        size_t len = strlen(forbidden[i]);

        if (strncmp(path, forbidden[i], len) == 0 && (path[len] == '\0' || path[len] == '/'))
            return false;
    }
    return true;
}

static int bad(char *err, size_t errlen, const char *spec, const char *why)
{
    snprintf(err, errlen, "invalid volume '%s': %s", spec, why);
    return -1;
}

int volume_parse(const char *spec, struct volume *v, char *err, size_t errlen)
{
    char copy[2 * PATH_MAX + 8];
    char *fields[3] = {0};
    char *rest = copy;
    int n = 1;

    memset(v, 0, sizeof(*v));
    if (strlen(spec) >= sizeof(copy))
        return bad(err, errlen, spec, "too long");
    snprintf(copy, sizeof(copy), "%s", spec);
    for (const char *c = spec; *c; c++)
        n += *c == ':';
    if (n < 2)
        return bad(err, errlen, spec, "use HOST:CONTAINER[:ro|:rw]");
    if (n > 3)
        return bad(err, errlen, spec, "too many ':' (use HOST:CONTAINER[:ro|:rw])");
    /* strsep, not strtok: "a::b" must show its empty field. */
    for (int i = 0; i < n; i++)
        fields[i] = strsep(&rest, ":");
    if (!fields[0][0] || !fields[1][0])
        return bad(err, errlen, spec, "empty path");
    if (fields[0][0] != '/' || fields[1][0] != '/')
        return bad(err, errlen, spec, "both paths must be absolute");
    if (n == 3 && strcmp(fields[2], "ro") != 0 && strcmp(fields[2], "rw") != 0)
        return bad(err, errlen, spec, "the mode must be ro or rw");
    v->read_only = n == 3 && strcmp(fields[2], "ro") == 0;
    if (path_normalise(fields[0], v->host, sizeof(v->host)) < 0 ||
        path_normalise(fields[1], v->container, sizeof(v->container)) < 0)
        return bad(err, errlen, spec, "path too long");
    if (strcmp(v->container, "/") == 0)
        return bad(err, errlen, spec, "the container path cannot be /");
    if (!container_path_allowed(v->container))
        return bad(err, errlen, spec, "the container path cannot be in /proc, /sys or /dev");
    return 0;
}

int volumes_check(const struct volume *v, int n, char *err, size_t errlen)
{
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < i; j++) {
            if (strcmp(v[i].container, v[j].container) == 0) {
                snprintf(err, errlen, "two volumes on %s", v[i].container);
                return -1;
            }
        }
    }
    return 0;
}

/* mkdir -p, as Docker does for a missing host directory. */
static int mkdir_p(const char *path)
{
    char buf[PATH_MAX];

    snprintf(buf, sizeof(buf), "%s", path);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;

        *p = '\0';
        if (mkdir(buf, VOLUME_DIR_MODE) < 0 && errno != EEXIST) {
            err_sys("mkdir %s", buf);
            return -1;
        }
        *p = c;
        if (c == '\0')
            return 0;
    }
}

int volumes_prepare(const struct volume *v, int n)
{
    for (int i = 0; i < n; i++) {
        struct stat st;

        if (mkdir_p(v[i].host) < 0)
            return -1;
        if (stat(v[i].host, &st) < 0 || !S_ISDIR(st.st_mode)) {
            err_msg("volume %s: not a directory", v[i].host);
            return -1;
        }
    }
    return 0;
}

/* Opens `path` (relative) as a directory, resolving it as if rootfd were
 * "/": a ".." or an absolute symlink in the image stops at the container's
 * root, never at the host's. See openat2(2). */
static int open_in_root(int rootfd, const char *path)
{
    struct open_how how = {
        .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };

    return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}

/* mkdir -p inside the container's root, each step resolved in root. The
 * new directories land in the overlay's upper layer, not in the image. */
static int open_or_make(int rootfd, const char *container)
{
    char prefix[PATH_MAX];
    const char *rel = container + 1;
    int fd = -1;

    for (const char *p = rel;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        snprintf(prefix, sizeof(prefix), "%.*s", (int)(p - rel), rel);
        if (fd >= 0)
            close(fd);
        fd = open_in_root(rootfd, prefix);
        if (fd < 0 && errno == ENOENT) {
            char *slash = strrchr(prefix, '/');
            int parent;

            if (slash)
                *slash = '\0';
            parent = open_in_root(rootfd, slash ? prefix : ".");
            if (parent < 0)
                return -1;
            if (mkdirat(parent, slash ? slash + 1 : prefix, VOLUME_DIR_MODE) < 0 &&
                errno != EEXIST) {
                close(parent);
                return -1;
            }
            close(parent);
            snprintf(prefix, sizeof(prefix), "%.*s", (int)(p - rel), rel);
            fd = open_in_root(rootfd, prefix);
        }
        if (fd < 0 || *p == '\0')
            return fd;
    }
}

/* For an error message: "5.10.0-28-amd64", say. */
static const char *kernel_release(void)
{
    static struct utsname u;

    return uname(&u) == 0 ? u.release : "unknown";
}

/* The new mount API lets us prepare the bind while it is still detached:
 * clone the host tree, make it read-only (recursively, submounts too),
 * then attach it where the fd points. The classic way, mount(MS_BIND) then
 * mount(MS_REMOUNT|MS_RDONLY), is writable for an instant and leaves
 * submounts writable. */
static int mount_volume(const struct volume *v, int target)
{
    /* struct mount_attr: attr_set, attr_clr, propagation, userns_fd, all
     * 64-bit. As an array it needs no name, which glibc 2.31 lacks. */
    unsigned long long attr[4] = {MOUNT_ATTR_RDONLY, 0, 0, 0};
    int tree = (int)syscall(SYS_open_tree, AT_FDCWD, v->host,
                            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);

    if (tree < 0) {
        err_sys("volume: open_tree %s", v->host);
        return -1;
    }
    if (v->read_only && syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, attr,
                                sizeof(attr)) < 0) {
        if (errno == ENOSYS)
            err_msg("volume %s: ':ro' needs Linux 5.12 or later (mount_setattr), and this "
                    "kernel is %s: drop ':ro', or run a newer kernel",
                    v->host, kernel_release());
        else
            err_sys("volume: make %s read-only", v->host);
        close(tree);
        return -1;
    }
    if (syscall(SYS_move_mount, tree, "", target, "",
                MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
        err_sys("volume: mount %s on %s", v->host, v->container);
        close(tree);
        return -1;
    }
    close(tree);
    return 0;
}

/* The path as typed was checked when parsed, but a symlink in the image
 * (/data -> /proc, /root-link -> /) may lead where no volume may go: check
 * where it really ended up, as the kernel names the directory we hold. */
static int check_target(int target, const struct volume *v, const char *newroot)
{
    char link[64];
    char path[PATH_MAX];
    size_t len = strlen(newroot);
    ssize_t n;

    snprintf(link, sizeof(link), "/proc/self/fd/%d", target);
    n = readlink(link, path, sizeof(path) - 1);
    if (n < 0) {
        err_sys("volume: readlink %s", link);
        return -1;
    }
    path[n] = '\0';
    /* Inside newroot by construction (RESOLVE_IN_ROOT); "" is the root. */
    if (strncmp(path, newroot, len) != 0 || (path[len] != '/' && path[len] != '\0')) {
        err_msg("volume %s: resolves outside the container (%s)", v->container, path);
        return -1;
    }
    if (!container_path_allowed(path[len] ? path + len : "/")) {
        err_msg("volume %s: resolves to %s in the container, where volumes cannot go", v->container,
                path[len] ? path + len : "/");
        return -1;
    }
    return 0;
}

int volumes_mount(const struct volume *v, int n, const char *newroot)
{
    char real[PATH_MAX];
    int rootfd;
    int ret = 0;

    if (n == 0)
        return 0;
    rootfd = open(newroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) {
        err_sys("open %s", newroot);
        return -1;
    }
    /* The kernel names directories by their canonical path: compare with
     * the canonical form of newroot (MYDOCKER_ROOT may hold a symlink). */
    if (!realpath(newroot, real)) {
        err_sys("realpath %s", newroot);
        close(rootfd);
        return -1;
    }
    for (int i = 0; i < n && ret == 0; i++) {
        int target = open_or_make(rootfd, v[i].container);

        if (target < 0) {
            err_sys("volume: %s inside the container", v[i].container);
            ret = -1;
            break;
        }
        ret = check_target(target, &v[i], real);
        if (ret == 0)
            ret = mount_volume(&v[i], target);
        close(target);
        if (ret == 0)
            log_info("volume %s on %s%s", v[i].host, v[i].container, v[i].read_only ? " (ro)" : "");
    }
    close(rootfd);
    return ret;
}
