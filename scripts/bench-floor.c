/* bench-floor: the least a container start must do, as a baseline for
 * scripts/bench.sh. Usage:
 *   bench-floor                  clone into the five namespaces, exec /bin/true
 *   bench-floor ROOTFS           ... and pivot_root into ROOTFS first
 *   bench-floor -o TMP ROOTFS    ... into an overlay: lower ROOTFS, upper,
 *                                work and merged in a fresh dir under TMP
 * No logging, no cgroups, no /dev: whatever mydocker spends beyond this is
 * the price of its features and of its code. Exit status: the child's. */
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum { STACK_SIZE = 64 * 1024, FAILED = 125 };

static const char *rootfs;      /* NULL: stay on the host's filesystem */
static char opts[3 * PATH_MAX]; /* overlay options; "" when none */
static char merged[PATH_MAX];

static int fail(const char *what)
{
    perror(what);
    return FAILED;
}

static int child(void *arg)
{
    char *const argv[] = {"/bin/true", NULL};
    const char *root = opts[0] ? merged : rootfs;

    (void)arg;
    /* Private first, so nothing below propagates to the host. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return fail("make / private");
    /* The overlay lives in this namespace only: it goes when we do. */
    if (opts[0] && mount("overlay", merged, "overlay", 0, opts) < 0)
        return fail("mount overlay");
    if (root) {
        if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
            return fail("bind mount rootfs");
        if (chdir(root) < 0)
            return fail("chdir rootfs");
        if (syscall(SYS_pivot_root, ".", ".") < 0)
            return fail("pivot_root");
        if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
            return fail("detach old root");
        if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL) < 0)
            return fail("mount proc");
    }
    execv(argv[0], argv);
    return fail("exec /bin/true");
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)ftw;
    return type == FTW_DP ? rmdir(path) : unlink(path);
}

int main(int argc, char **argv)
{
    int flags = CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | SIGCHLD;
    char dir[PATH_MAX] = "";
    char *stack;
    int status = 0;
    pid_t pid;

    if (argc == 4 && strcmp(argv[1], "-o") == 0) {
        static const char *const layers[] = {"upper", "work", "merged"};

        snprintf(dir, sizeof(dir), "%s/floor-XXXXXX", argv[2]);
        if (!mkdtemp(dir))
            return fail("mkdtemp");
        for (size_t i = 0; i < sizeof(layers) / sizeof(layers[0]); i++) {
            char path[PATH_MAX + 16];

            snprintf(path, sizeof(path), "%s/%s", dir, layers[i]);
            if (mkdir(path, 0755) < 0)
                return fail(path);
        }
        snprintf(merged, sizeof(merged), "%s/merged", dir);
        snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s/upper,workdir=%s/work", argv[3], dir,
                 dir);
    } else if (argc == 2 && argv[1][0] != '-') {
        rootfs = argv[1];
    } else if (argc != 1) {
        fprintf(stderr, "usage: bench-floor [[-o TMPDIR] ROOTFS]\n");
        return 2;
    }
    stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                 -1, 0);
    if (stack == MAP_FAILED)
        return fail("mmap");
    pid = clone(child, stack + STACK_SIZE, flags, NULL);
    if (pid < 0)
        status = fail("clone");
    else if (waitpid(pid, &status, 0) < 0)
        status = fail("waitpid");
    else
        status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    /* The overlay went with the child's namespace; its dirs are ours. */
    if (dir[0] && nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0)
        status = fail("remove overlay dirs");
    return status;
}
