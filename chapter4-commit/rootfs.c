#include "rootfs.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The devices a program expects, and nothing that reaches host hardware.
 * Same numbers as on every Linux (devices.txt in the kernel docs). */
static const struct {
    const char *path;
    unsigned major;
    unsigned minor;
} devices[] = {
    {"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
    {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

static const struct {
    const char *target;
    const char *path;
} dev_links[] = {
    {"/proc/self/fd", "/dev/fd"},
    {"/proc/self/fd/0", "/dev/stdin"},
    {"/proc/self/fd/1", "/dev/stdout"},
    {"/proc/self/fd/2", "/dev/stderr"},
};

enum { DEVICE_MODE = 0666 };

/* /proc and /dev get mounts; a symlink there, planted by the image, would
 * send the mount wherever it points (CVE-2019-19921 is this bug in runc). */
static int refuse_symlink(const char *path)
{
    struct stat st;

    if (lstat(path, &st) < 0) {
        err_sys("image has no /%s", path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        err_msg("image's /%s is not a directory (a symlink?): refusing to mount on it", path);
        return -1;
    }
    return 0;
}

/* glibc has no wrapper for pivot_root(2). */
static int pivot_root(const char *new_root, const char *put_old)
{
    return (int)syscall(SYS_pivot_root, new_root, put_old);
}

static int make_dev(void)
{
    /* tmpfs, not the host's devtmpfs: only the nodes below exist. nosuid
     * as on the host; mode 755 so only root adds entries. */
    if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k") < 0) {
        err_sys("mount tmpfs on /dev");
        return -1;
    }
    for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
        /* mknod is subject to the umask; chmod sets the mode we mean. */
        if (mknod(devices[i].path, S_IFCHR | DEVICE_MODE,
                  makedev(devices[i].major, devices[i].minor)) < 0 ||
            chmod(devices[i].path, DEVICE_MODE) < 0) {
            err_sys("mknod %s", devices[i].path);
            return -1;
        }
    }
    for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++) {
        if (symlink(dev_links[i].target, dev_links[i].path) < 0) {
            err_sys("symlink %s -> %s", dev_links[i].path, dev_links[i].target);
            return -1;
        }
    }
    return 0;
}

int rootfs_enter(const char *newroot)
{
    /* pivot_root wants new_root to be a mount point (and not on the same
     * mount as the current root): binding the directory onto itself makes
     * it one. */
    if (mount(newroot, newroot, NULL, MS_BIND | MS_REC, NULL) < 0) {
        err_sys("bind mount %s onto itself", newroot);
        return -1;
    }
    if (chdir(newroot) < 0) {
        err_sys("chdir %s", newroot);
        return -1;
    }
    if (refuse_symlink("proc") < 0 || refuse_symlink("dev") < 0)
        return -1;

    /* pivot_root(".", ".") stacks the old root on top of the new one at
     * "/", so no put_old directory is needed in the image. Unlike chroot,
     * which only changes this process's view of "/", pivot_root moves the
     * whole mount namespace; once the old root is detached below, no path
     * leads back to the host, not even "cd .." out of a nested chroot. */
    log_info("pivot_root to %s", newroot);
    if (pivot_root(".", ".") < 0) {
        err_sys("pivot_root to %s", newroot);
        return -1;
    }
    /* "." is still the new root; the old one is mounted over it at "/".
     * Detach it (lazily: our own files may still be open there). */
    if (umount2(".", MNT_DETACH) < 0) {
        err_sys("detach the old root");
        return -1;
    }
    if (chdir("/") < 0) {
        err_sys("chdir /");
        return -1;
    }

    /* A proc instance for our PID namespace: ps lists only the container. */
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL) < 0) {
        err_sys("mount proc on /proc");
        return -1;
    }
    return make_dev();
}
