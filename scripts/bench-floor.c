/* bench-floor: the least a container start must do, as a baseline for
 * scripts/bench.sh. Usage:
 *   bench-floor                  clone into the five namespaces, exec /bin/true
 *   bench-floor ROOTFS           ... and pivot_root into ROOTFS first
 *   bench-floor -o TMP ROOTFS    ... into an overlay: lower ROOTFS, upper,
 *                                work and merged in a fresh dir under TMP
 *   bench-floor -t DIR OUT       no container: tar DIR into OUT.tmp with
 *                                commit's flags, fsync it, rename it to OUT,
 *                                fsync OUT's directory (a durable commit)
 * No logging, no cgroups, no /dev: whatever mydocker spends beyond this is
 * the price of its features and of its code. Exit status: the child's. */
#include <fcntl.h>
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

/* The least a durable commit does: tar, then the two fsyncs around the
 * rename that make the tarball survive a crash. */
static int durable_tar(const char *dir, const char *out)
{
    char tmp[PATH_MAX];
    char parent[PATH_MAX];
    int status;
    int fd;
    pid_t pid;

    snprintf(tmp, sizeof(tmp), "%s.tmp", out);
    snprintf(parent, sizeof(parent), "%s", out);
    *(strrchr(parent, '/') ? strrchr(parent, '/') : parent) = '\0';
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail(tmp);
    pid = fork();
    if (pid == 0) {
        dup2(fd, STDOUT_FILENO);
        if (chdir(dir) < 0)
            _exit(FAILED);
        execl("/usr/bin/tar", "tar", "--create", "--numeric-owner", "--sparse", "--file", "-", ".",
              (char *)NULL);
        _exit(FAILED);
    }
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
        return fail("tar");
    if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, out) < 0)
        return fail(out);
    fd = open(strchr(out, '/') ? (parent[0] ? parent : "/") : ".",
              O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) < 0)
        return fail(parent);
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    int flags = CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | SIGCHLD;
    char dir[PATH_MAX] = "";
    char *stack;
    int status = 0;
    pid_t pid;

    if (argc == 4 && strcmp(argv[1], "-t") == 0)
        return durable_tar(argv[2], argv[3]);
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
        fprintf(stderr, "usage: bench-floor [[-o TMPDIR] ROOTFS] | -t DIR OUT\n");
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
