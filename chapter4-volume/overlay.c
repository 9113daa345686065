#include "overlay.h"

#include "image.h"
#include "log.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#define OVERLAYFS_MAGIC 0x794c7630 /* statfs f_type; see linux/magic.h */

/* The layers, in the order they are made; remove_tree() takes them all
 * at teardown. */
static const char *const layers[] = {"upper", "work", "merged"};

/* Held while a new container dir is made and locked, and while stale ones
 * are judged: without it, a dir made an instant ago, not yet locked,
 * would look dead. flock works on a directory's fd as on a file's. */
static int lock_containers(const char *containers)
{
    int fd;

    if (mkdir(containers, 0700) < 0 && errno != EEXIST) {
        err_sys("mkdir %s", containers);
        return -1;
    }
    fd = lock_open(AT_FDCWD, containers, LOCK_EX);
    if (fd < 0)
        err_sys("lock %s", containers);
    return fd;
}

/* overlayfs options are "key=value,key=value": a path holding ',', ':'
 * (the lowerdir separator) or '\' would change their meaning. */
static int check_option_path(const char *path)
{
    if (strpbrk(path, ",:\\")) {
        err_msg("overlay: path %s holds ',', ':' or '\\', which mount options cannot carry: "
                "use a MYDOCKER_ROOT without them",
                path);
        return -1;
    }
    return 0;
}

static void mount_hint(const char *dir, int err)
{
    struct statfs sfs;

    if (err == ENODEV)
        err_msg("hint: is the overlay module loaded? try: modprobe overlay");
    else if (statfs(dir, &sfs) == 0 && sfs.f_type == OVERLAYFS_MAGIC)
        err_msg("hint: %s is itself on overlayfs (inside Docker?), which cannot hold an upper "
                "layer: set MYDOCKER_ROOT to a directory on another filesystem",
                dir);
}

static int mount_overlay(struct container_fs *fs, const char *lower)
{
    char opts[3 * PATH_MAX + 64];
    int n;

    if (check_option_path(lower) < 0 || check_option_path(fs->dir) < 0)
        return -1;
    n = snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s/upper,workdir=%s/work", lower,
                 fs->dir, fs->dir);
    if (n < 0 || (size_t)n >= sizeof(opts)) {
        err_msg("overlay: mount options too long");
        return -1;
    }
    if (mount("overlay", fs->merged, "overlay", 0, opts) < 0) {
        int saved = errno;

        err_sys("mount overlay on %s", fs->merged);
        mount_hint(fs->dir, saved);
        return -1;
    }
    fs->mounted = true;
    log_info("overlay on %s: lower %s, upper %s/upper", fs->merged, lower, fs->dir);
    return 0;
}

int container_fs_create(struct container_fs *fs, const char *id, const char *lower)
{
    char containers[PATH_MAX];
    int lock = -1;

    memset(fs, 0, sizeof(*fs));
    fs->lock_fd = -1;
    if (fmt_path(containers, sizeof(containers), "%s/containers", state_root()) < 0 ||
        fmt_path(fs->dir, sizeof(fs->dir), "%s/%s", containers, id) < 0 ||
        fmt_path(fs->merged, sizeof(fs->merged), "%s/merged", fs->dir) < 0)
        return -1;
    lock = lock_containers(containers);
    if (lock < 0)
        return -1;
    if (mkdir(fs->dir, 0700) < 0) {
        err_sys("mkdir %s", fs->dir);
        fs->dir[0] = '\0';
        goto fail;
    }
    /* Our lock on the dir says "alive"; the kernel drops it when we die,
     * however we die. */
    fs->lock_fd = lock_open(AT_FDCWD, fs->dir, LOCK_EX);
    if (fs->lock_fd < 0) {
        err_sys("lock %s", fs->dir);
        goto fail;
    }
    close(lock), lock = -1;
    for (size_t i = 0; i < sizeof(layers) / sizeof(layers[0]); i++) {
        char path[PATH_MAX];

        if (fmt_path(path, sizeof(path), "%s/%s", fs->dir, layers[i]) < 0)
            goto fail;
        if (mkdir(path, 0755) < 0) {
            err_sys("mkdir %s", path);
            goto fail;
        }
    }
    if (mount_overlay(fs, lower) < 0)
        goto fail;
    return 0;
fail:
    if (lock >= 0)
        close(lock);
    container_fs_destroy(fs);
    return -1;
}

/* When a process started (field 22 of /proc/PID/stat, in clock ticks
 * since boot), or 0 if it is gone. A pid can be reused by another
 * process; the same pid with the same start time cannot. Fields are
 * counted from the ')' that ends the command name, which may hold spaces
 * or parentheses itself. */
static unsigned long long start_time(pid_t pid)
{
    char path[64];
    char buf[1024];
    unsigned long long t = 0;
    const char *end;
    ssize_t n;
    int fd;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    end = strrchr(buf, ')');
    if (!end || end[2] == 'Z' ||
        sscanf(end + 2,
               "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d "
               "%*d %llu",
               &t) != 1)
        return 0; /* a zombie is as good as gone */
    return t;
}

int container_fs_write_state(const struct container_fs *fs, pid_t pid)
{
    char tmp[PATH_MAX];
    char path[PATH_MAX];
    bool written;
    FILE *f;

    if (fmt_path(tmp, sizeof(tmp), "%s/.state.tmp", fs->dir) < 0 ||
        fmt_path(path, sizeof(path), "%s/state", fs->dir) < 0)
        return -1;
    /* Whole or absent: a reader never sees half a state file. */
    f = fopen(tmp, "we");
    if (!f) {
        err_sys("write %s", tmp);
        return -1;
    }
    written = fprintf(f, "pid %d start %llu\n", (int)pid, start_time(pid)) >= 0;
    /* fclose always, even after a failed write: it frees the FILE. */
    written = fclose(f) == 0 && written;
    if (!written || rename(tmp, path) < 0) {
        err_sys("write %s", path);
        unlink(tmp);
        return -1;
    }
    return 0;
}

int container_fs_destroy(struct container_fs *fs)
{
    int ret = 0;

    if (fs->dir[0] == '\0')
        return 0;
    /* Lazily: a process of ours may still hold a file there for an
     * instant; MNT_DETACH makes the mount vanish from the tree now. */
    if (fs->mounted && umount2(fs->merged, MNT_DETACH) < 0) {
        err_sys("umount %s", fs->merged);
        ret = -1;
    }
    fs->mounted = false;
    /* remove_tree never crosses into a mount: if the unmount failed, it
     * stops at merged/ instead of deleting through it the container's
     * files, or whatever else is mounted below. */
    if (ret == 0 && remove_tree(fs->dir) < 0)
        ret = -1;
    if (fs->lock_fd >= 0)
        close(fs->lock_fd);
    fs->lock_fd = -1;
    fs->dir[0] = '\0';
    return ret;
}

enum { REAP_WAIT_TRIES = 50, REAP_WAIT_NS = 100000000 }; /* 5 s in all */

/* The container of a killed mydocker may outlive it: the kernel clears
 * PR_SET_PDEATHSIG when PID 1 changes its credentials (su, a server that
 * drops root). Its PID 1 is in the state file; SIGKILL to a PID
 * namespace's init ends every process in it. Returns 0 once it is gone. */
static int kill_leftover(const struct container_fs *fs, const char *id)
{
    const struct timespec wait = {0, REAP_WAIT_NS};
    unsigned long long start = 0;
    char path[PATH_MAX];
    int pid = 0;
    FILE *f;

    if (fmt_path(path, sizeof(path), "%s/state", fs->dir) < 0)
        return -1;
    f = fopen(path, "re");
    if (!f)
        return 0; /* died before it had a container */
    if (fscanf(f, "pid %d start %llu", &pid, &start) != 2)
        pid = 0;
    fclose(f);
    if (pid <= 0 || start == 0 || start_time(pid) != start)
        return 0; /* gone, or the pid is another process's now */
    log_warn("container %s: PID 1 (pid %d) outlived its mydocker: sending SIGKILL", id, pid);
    kill(pid, SIGKILL);
    for (int i = 0; i < REAP_WAIT_TRIES && start_time(pid) == start; i++)
        nanosleep(&wait, NULL);
    return start_time(pid) == start ? -1 : 0;
}

/* A dir whose lock we can take was left by a run that is gone. */
static void reap(const char *containers, const char *id)
{
    struct container_fs fs = {.lock_fd = -1};
    struct stat dir_st;
    struct stat merged_st;

    if (fmt_path(fs.dir, sizeof(fs.dir), "%s/%s", containers, id) < 0 ||
        fmt_path(fs.merged, sizeof(fs.merged), "%s/merged", fs.dir) < 0)
        return;
    fs.lock_fd = lock_if_abandoned(AT_FDCWD, fs.dir);
    if (fs.lock_fd < 0)
        return; /* alive, or removed by its run meanwhile */
    /* Is merged/ still mounted? A mount point lies on another device than
     * the directory holding it. (Simpler than parsing /proc/self/mounts,
     * where a space in a path is written \040.) */
    fs.mounted = stat(fs.dir, &dir_st) == 0 && stat(fs.merged, &merged_st) == 0 &&
                 dir_st.st_dev != merged_st.st_dev;
    log_info("cleaning up container %s, left by a mydocker that was killed", id);
    /* Nothing is removed while the container may still run in it: the
     * state stays for the next command to try again. */
    if (kill_leftover(&fs, id) < 0) {
        err_msg("container %s: could not clean up yet; its state stays for the next run", id);
        close(fs.lock_fd);
        return;
    }
    container_fs_destroy(&fs);
}

void containers_reap_stale(void)
{
    char containers[PATH_MAX];
    struct dirent *e;
    bool any = false;
    DIR *d;
    int lock;

    if (fmt_path(containers, sizeof(containers), "%s/containers", state_root()) < 0)
        return;
    d = opendir(containers);
    if (!d)
        return; /* no container ever ran here */
    /* A look without the lock first: every command starts here, and
     * with no other container running there is nothing to judge. */
    while (!any && (e = readdir(d)))
        any = e->d_name[0] != '.';
    if (!any) {
        closedir(d);
        return;
    }
    rewinddir(d);
    lock = lock_containers(containers);
    while (lock >= 0 && (e = readdir(d))) {
        if (e->d_name[0] != '.')
            reap(containers, e->d_name);
    }
    if (lock >= 0)
        close(lock);
    closedir(d);
}
