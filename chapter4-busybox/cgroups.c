#include "cgroups.h"

#include "log.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The directory under each controller root that holds our containers. */
#define CG_PARENT "mydocker"
/* Where a nested v2 root's own processes go (root_enable). */
#define CG_EVACUATE "init"

enum {
    RMDIR_TRIES = 100,       /* a cgroup can stay busy briefly after its */
    RMDIR_WAIT_NS = 1000000, /* last task is reaped: retry for ~100 ms */
    REAP_TRIES = 50,         /* a dead run's processes get 5 s to die */
    REAP_WAIT_NS = 100000000,
    EVACUATE_TRIES = 5, /* a nested root's processes may fork meanwhile */
};

/* ---- per-container directories ----------------------------------------- */

/* One write of a whole value, as cgroupfs wants it; errno on failure. */
static int write_value(const char *path, const char *value)
{
    size_t len = strlen(value);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    if (fd < 0)
        return -1;
    if (write(fd, value, len) != (ssize_t)len) {
        int saved = errno;

        close(fd);
        errno = saved;
        return -1;
    }
    return close(fd);
}

static int write_file(const char *dir, const char *name, const char *value)
{
    char path[PATH_MAX + 64];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (write_value(path, value) < 0) {
        err_sys("write %s to %s", value, path);
        return -1;
    }
    log_debug("cgroup: %s = %s", path, value);
    return 0;
}

/* A new v1 cpuset starts with no CPUs and no memory nodes, and the kernel
 * then refuses to add any task ("No space left on device", the Go book's
 * bug). Give it its parent's before anything joins. */
static int cpuset_inherit(const char *dir)
{
    static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
    char path[PATH_MAX + 64];
    char value[256];

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        if (read_text(path, value, sizeof(value)) == 0 && value[0] != '\n' && value[0] != '\0')
            continue;
        snprintf(path, sizeof(path), "%s/../%s", dir, files[i]);
        if (read_text(path, value, sizeof(value)) < 0) {
            err_sys("read %s", path);
            return -1;
        }
        value[strcspn(value, "\n")] = '\0';
        if (write_file(dir, files[i], value) < 0)
            return -1;
    }
    return 0;
}

/* Moves every process of the v2 cgroup `root` into its child "init".
 * Each pid is its own write; one that exited meanwhile (ESRCH) is gone
 * anyway. The number moved, or -1. */
static int evacuate(const char *root)
{
    char path[PATH_MAX + 32];
    char pid[16];
    int moved = 0;
    bool failed = false;
    FILE *f;

    snprintf(path, sizeof(path), "%s/" CG_EVACUATE, root);
    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        return -1;
    snprintf(path, sizeof(path), "%s/cgroup.procs", root);
    f = fopen(path, "re");
    if (!f)
        return -1;
    snprintf(path, sizeof(path), "%s/" CG_EVACUATE "/cgroup.procs", root);
    while (fscanf(f, "%15s", pid) == 1) {
        if (write_value(path, pid) == 0)
            moved++;
        else if (errno != ESRCH)
            failed = true;
    }
    fclose(f);
    return failed ? -1 : moved;
}

/* Enables one controller for the children of the v2 cgroup `root`. Inside
 * a cgroup namespace (a CI job, Docker-in-Docker) the root is an ordinary
 * cgroup, which shows in its cgroup.type file (the true root has none).
 * While processes live in it, v2 refuses a domain controller such as
 * memory with EBUSY: a cgroup that passes controllers on may hold no
 * processes of its own. It would take a threaded one such as pids, and
 * then refuse memory for good (EOPNOTSUPP). So first do what
 * Docker-in-Docker's entrypoint does: move them into a leaf, again if one
 * forked into the root meanwhile. */
static int root_enable(const char *root, const char *value)
{
    char path[PATH_MAX + 32];
    int moved = 0;
    bool nested;

    snprintf(path, sizeof(path), "%s/cgroup.type", root);
    nested = access(path, F_OK) == 0;
    snprintf(path, sizeof(path), "%s/cgroup.subtree_control", root);
    for (int tries = 0; tries < EVACUATE_TRIES; tries++) {
        int n = nested ? evacuate(root) : 0;

        if (n < 0) {
            err_sys("move the processes of %s into %s/" CG_EVACUATE, root, root);
            return -1;
        }
        moved += n;
        if (write_value(path, value) == 0) {
            log_debug("cgroup: %s = %s", path, value);
            if (moved > 0)
                log_info("cgroup: moved %d process%s from %s into %s/" CG_EVACUATE
                         ": cgroup v2 enables controllers only for a cgroup with no "
                         "processes of its own",
                         moved, moved == 1 ? "" : "es", root, root);
            return 0;
        }
        if (!nested || errno != EBUSY)
            break;
    }
    err_sys("write %s to %s", value, path);
    return -1;
}

/* v2 lets a cgroup use a controller only when every ancestor enabled it for
 * its children in cgroup.subtree_control. */
static int v2_enable(const char *dir, unsigned need, bool is_root)
{
    for (int c = 0; c < CG_NCONTROLLERS; c++) {
        char value[32];

        if (!(need & (1u << c)))
            continue;
        snprintf(value, sizeof(value), "+%s", cg_controller_names[c]);
        if (is_root ? root_enable(dir, value) < 0
                    : write_file(dir, "cgroup.subtree_control", value) < 0)
            return -1;
    }
    return 0;
}

/* <root>/mydocker: shared by all containers, made once, kept (as Docker
 * keeps its own parent cgroup). */
static int make_parent(const char *root, bool v2, unsigned need, bool cpuset)
{
    char parent[PATH_MAX + 16];

    snprintf(parent, sizeof(parent), "%s/" CG_PARENT, root);
    if (v2 && v2_enable(root, need, true) < 0)
        return -1;
    if (mkdir(parent, 0755) < 0 && errno != EEXIST) {
        err_sys("mkdir %s", parent);
        return -1;
    }
    if (cpuset && !v2 && cpuset_inherit(parent) < 0)
        return -1;
    if (v2 && v2_enable(parent, need, false) < 0)
        return -1;
    return 0;
}

static int dir_index(struct cgroup *cg, const char *root, bool v2, const char *id)
{
    char path[PATH_MAX];

    if (fmt_path(path, sizeof(path), "%s/" CG_PARENT "/%s", root, id) < 0)
        return -1;
    for (int i = 0; i < cg->ndirs; i++) {
        if (strcmp(cg->dir[i].path, path) == 0)
            return i;
    }
    if (cg->ndirs == CG_MAX_DIRS) {
        err_msg("more than %d cgroup directories for %s", CG_MAX_DIRS, id);
        return -1;
    }
    snprintf(cg->dir[cg->ndirs].path, sizeof(cg->dir[0].path), "%s", path);
    cg->dir[cg->ndirs].v2 = v2;
    cg->dir[cg->ndirs].lock_fd = -1;
    return cg->ndirs++;
}

/* Makes directory i and takes its lock, which says "alive" for as long as
 * we live: the kernel drops it however we die, even by SIGKILL, and the
 * next run then knows the dir is a dead one's (cgroups_reap_stale). The
 * parent is locked meanwhile, so that a reaper never sees our dir made
 * but not yet locked. 0, -1 if nothing was made, 1 if made, then failed. */
static int make_dir(struct cgroup *cg, int i, const char *root, unsigned need)
{
    const char *path = cg->dir[i].path;
    bool v2 = cg->dir[i].v2;
    bool cpuset = need & (1u << CG_CPUSET);
    char parent[PATH_MAX + 16];
    int lock;

    if (make_parent(root, v2, need, cpuset) < 0)
        return -1;
    snprintf(parent, sizeof(parent), "%s/" CG_PARENT, root);
    lock = lock_open(AT_FDCWD, parent, LOCK_EX);
    if (lock < 0) {
        err_sys("lock %s", parent);
        return -1;
    }
    if (mkdir(path, 0755) < 0) {
        err_sys("mkdir %s", path);
        close(lock);
        return -1;
    }
    cg->dir[i].lock_fd = lock_open(AT_FDCWD, path, LOCK_EX | LOCK_NB);
    close(lock);
    if (cg->dir[i].lock_fd < 0) {
        err_sys("lock %s", path);
        return 1;
    }
    return cpuset && !v2 && cpuset_inherit(path) < 0 ? 1 : 0;
}

int cgroup_create(struct cgroup *cg, const struct cg_layout *layout, const struct limits *l,
                  const char *id)
{
    unsigned need[CG_MAX_DIRS] = {0}; /* controllers, per directory */
    const char *root[CG_MAX_DIRS] = {0};
    int made = 0;
    char buf[64];

    memset(cg, 0, sizeof(*cg));
    for (size_t f = 0; f < cg_nfiles; f++) {
        enum cg_controller c = cg_files[f].controller;
        bool v2 = layout->v1[c][0] == '\0';
        int i;

        if (!cg_files[f].value(l, false, buf, sizeof(buf)))
            continue;
        if (v2 && !(layout->v2[0] && layout->in_v2[c])) {
            err_msg("the %s cgroup controller is not available on this host (cgroup layout: %s)",
                    cg_controller_names[c], cg_layout_name(layout));
            return -1;
        }
        i = dir_index(cg, v2 ? layout->v2 : layout->v1[c], v2, id);
        if (i < 0)
            return -1;
        root[i] = v2 ? layout->v2 : layout->v1[c];
        need[i] |= 1u << c;
    }
    for (made = 0; made < cg->ndirs; made++) {
        int r = make_dir(cg, made, root[made], need[made]);

        if (r != 0) {
            made += r > 0; /* made, then failed: remove it too */
            goto fail;
        }
    }
    for (size_t f = 0; f < cg_nfiles; f++) {
        enum cg_controller c = cg_files[f].controller;

        for (int i = 0; i < cg->ndirs; i++) {
            bool v2 = cg->dir[i].v2;
            const char *name = v2 ? cg_files[f].v2 : cg_files[f].v1;
            char path[PATH_MAX + 64];

            if (!(need[i] & (1u << c)) || !name || !cg_files[f].value(l, v2, buf, sizeof(buf)))
                continue;
            snprintf(path, sizeof(path), "%s/%s", cg->dir[i].path, name);
            if (cg_files[f].optional && access(path, F_OK) < 0)
                continue;
            if (write_file(cg->dir[i].path, name, buf) < 0)
                goto fail;
        }
    }
    return 0;
fail:
    cg->ndirs = made;
    cgroup_destroy(cg);
    return -1;
}

int cgroup_open_join(const struct cgroup *cg, int fds[CG_MAX_DIRS])
{
    for (int i = 0; i < cg->ndirs; i++) {
        /* v1's "tasks" moves just the writing thread; its "cgroup.procs"
         * would move the whole thread group and take a global lock that
         * waits for an RCU grace period (up to ~20 ms). v2 has only
         * cgroup.procs. */
        const char *name = cg->dir[i].v2 ? "cgroup.procs" : "tasks";
        char path[PATH_MAX + 16];

        if (fmt_path(path, sizeof(path), "%s/%s", cg->dir[i].path, name) < 0)
            fds[i] = -1;
        else
            fds[i] = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fds[i] < 0) {
            err_sys("open %s", path);
            while (i-- > 0)
                close(fds[i]);
            return -1;
        }
    }
    return cg->ndirs;
}

int cgroup_join(const int *fds, int n)
{
    /* "0" means "the process writing this". */
    for (int i = 0; i < n; i++) {
        if (write(fds[i], "0", 1) != 1)
            return -1;
    }
    return 0;
}

/* rmdir, once the kernel has let go of the cgroup's last task. */
static int remove_dir(const char *path)
{
    const struct timespec wait = {0, RMDIR_WAIT_NS};

    for (int tries = 0; rmdir(path) < 0; tries++) {
        if (errno == ENOENT)
            return 0;
        if (errno != EBUSY || tries + 1 == RMDIR_TRIES) {
            err_sys("rmdir %s", path);
            return -1;
        }
        nanosleep(&wait, NULL);
    }
    return 0;
}

int cgroup_destroy(struct cgroup *cg)
{
    int ret = 0;

    /* Each dir goes while we still hold its lock: a reaper never takes
     * a dir that is ours. */
    for (int i = cg->ndirs - 1; i >= 0; i--) {
        if (remove_dir(cg->dir[i].path) < 0)
            ret = -1;
        if (cg->dir[i].lock_fd >= 0)
            close(cg->dir[i].lock_fd);
    }
    cg->ndirs = 0;
    return ret;
}

/* ---- after a killed run ------------------------------------------------- */

int cg_layout_roots(const struct cg_layout *layout, const char *roots[CG_MAX_DIRS])
{
    int n = 0;

    for (int c = 0; c < CG_NCONTROLLERS; c++) {
        bool seen = layout->v1[c][0] == '\0';

        for (int i = 0; i < n && !seen; i++)
            seen = strcmp(roots[i], layout->v1[c]) == 0;
        if (!seen)
            roots[n++] = layout->v1[c];
    }
    if (layout->v2[0])
        roots[n++] = layout->v2;
    return n;
}

/* Ends every process in the cgroup open as dir. v2's cgroup.kill (Linux
 * 5.14) does it in one write; then, the only way on v1 and older kernels,
 * SIGKILL to each pid that cgroup.procs lists, again until it lists none,
 * since one may have forked meanwhile. SIGKILL to PID 1 ends its whole PID
 * namespace anyway. 0 once empty. */
static int kill_all(int dir)
{
    const struct timespec wait = {0, REAP_WAIT_NS};
    int fd = openat(dir, "cgroup.kill", O_WRONLY | O_CLOEXEC);

    if (fd >= 0) {
        if (write(fd, "1", 1) != 1)
            log_debug("cgroup.kill: %s", strerror(errno)); /* the loop does it */
        close(fd);
    }
    for (int i = 0; i < REAP_TRIES; i++) {
        FILE *f;
        int pid;
        int n = 0;

        fd = openat(dir, "cgroup.procs", O_RDONLY | O_CLOEXEC);
        f = fd >= 0 ? fdopen(fd, "r") : NULL;
        if (!f) {
            if (fd >= 0)
                close(fd);
            return -1;
        }
        for (; fscanf(f, "%d", &pid) == 1; n++)
            kill(pid, SIGKILL);
        fclose(f);
        if (n == 0)
            return 0;
        nanosleep(&wait, NULL);
    }
    return -1;
}

/* A dir whose lock we can take was left by a run that is gone. */
static void reap_dir(int parent_fd, const char *parent, const char *name)
{
    char path[PATH_MAX];
    int fd = lock_if_abandoned(parent_fd, name);

    if (fd < 0)
        return; /* alive, or removed by its run meanwhile */
    if (fmt_path(path, sizeof(path), "%s/%s", parent, name) < 0) {
        close(fd);
        return;
    }
    log_info("cleaning up cgroup %s, left by a mydocker that was killed", path);
    /* Only an empty cgroup can go: what ran there goes first. */
    if (kill_all(fd) < 0 || remove_dir(path) < 0)
        err_msg("cgroup %s: could not clean up yet; it stays for the next run", path);
    close(fd);
}

void cgroups_reap_stale(void)
{
    struct cg_layout layout;
    const char *roots[CG_MAX_DIRS];
    int n;

    if (cg_layout_read_mounts(&layout) < 0)
        return;
    n = cg_layout_roots(&layout, roots);
    for (int i = 0; i < n; i++) {
        char parent[PATH_MAX + 16];
        struct dirent *e;
        struct stat st;
        DIR *d;
        int lock;

        /* Every run starts here, so the common case costs one stat: a
         * directory's link count is 2 plus its subdirectories, on
         * cgroupfs too, and 2 means no container dir at all. */
        snprintf(parent, sizeof(parent), "%s/" CG_PARENT, roots[i]);
        if (stat(parent, &st) < 0 || st.st_nlink <= 2)
            continue;
        lock = lock_open(AT_FDCWD, parent, LOCK_EX); /* see make_dir */
        d = lock >= 0 ? fdopendir(lock) : NULL;
        while (d && (e = readdir(d))) {
            if (e->d_type == DT_DIR && e->d_name[0] != '.')
                reap_dir(dirfd(d), parent, e->d_name);
        }
        if (d)
            closedir(d); /* and with its fd, the lock */
        else if (lock >= 0)
            close(lock);
    }
}
