#include "util.h"

#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* glibc before 2.34 and kernel headers before 5.11 lack these; the
 * numbers are the kernel's ABI (close_range is 436 on every arch). */
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* The kernel's signals (64 on every architecture we build for) and its
 * struct sigaction: handler, flags, restorer where there is one, mask. */
enum { KERNEL_NSIG = 64, KERNEL_SIGACTION_WORDS = 4 };

/* Kernels before 5.11 know no CLOSE_RANGE_CLOEXEC: do the same one fd at
 * a time, for the fds that /proc/self/fd lists. */
static int cloexec_each(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int ret = 0;

    if (!d)
        return -1;
    while ((e = readdir(d))) {
        int fd = atoi(e->d_name); /* "." and ".." give 0 */

        if (fd > STDERR_FILENO && fd != dirfd(d) && fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
            ret = -1;
    }
    closedir(d);
    return ret;
}

int close_extra_fds(void)
{
    /* Marked, not closed: the status pipe must stay open until execve
     * succeeds, which is what closes it (a failed exec still writes its
     * exit code there). An fd left open would hand the program whatever
     * it points to: in CVE-2024-21626 an inherited fd of runc's was a
     * directory of the host, and the container's process walked out
     * through /proc/self/fd. See close_range(2). */
    if (syscall(SYS_close_range, STDERR_FILENO + 1, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return 0;
    if (errno != ENOSYS && errno != EINVAL)
        return -1;
    return cloexec_each();
}

void reset_signals(void)
{
    /* All zero is SIG_DFL with no flags and an empty mask, whatever the
     * layout of the kernel's struct sigaction on this architecture. */
    static const unsigned long dfl[KERNEL_SIGACTION_WORDS];
    sigset_t none;

    /* An ignored signal stays ignored across execve (signal(7)), and so
     * does a blocked one: mydocker ignores SIGPIPE, and its caller may
     * have ignored more (nohup ignores SIGHUP, some wrappers SIGCHLD). A
     * shell whose SIGPIPE is ignored never stops writing to a closed pipe.
     * The raw system call, because glibc's sigaction() refuses the two
     * real-time signals it keeps for its threads, and those can arrive
     * ignored too. SIGKILL and SIGSTOP refuse the change, harmlessly. */
    for (int sig = 1; sig <= KERNEL_NSIG; sig++)
        syscall(SYS_rt_sigaction, sig, dfl, NULL, KERNEL_NSIG / CHAR_BIT);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

int lock_open(int dir, const char *path, int how)
{
    int fd = openat(dir, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

    if (fd >= 0 && flock(fd, how) < 0) {
        int saved = errno;

        close(fd);
        errno = saved;
        fd = -1;
    }
    return fd;
}

int lock_if_abandoned(int dir, const char *name)
{
    struct stat opened;
    struct stat named;
    int fd = lock_open(dir, name, LOCK_EX | LOCK_NB);

    if (fd < 0)
        return -1;
    if (fstat(fd, &opened) < 0 || fstatat(dir, name, &named, AT_SYMLINK_NOFOLLOW) < 0 ||
        opened.st_dev != named.st_dev || opened.st_ino != named.st_ino) {
        close(fd);
        return -1;
    }
    return fd;
}

int fmt_path(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= len) {
        errno = ENAMETOOLONG;
        err_sys("path %.64s...", buf);
        return -1;
    }
    return 0;
}

int read_text(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = read(fd, buf, len - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return 0;
}

#define DEFAULT_ROOT "/var/lib/mydocker"

const char *state_root(void)
{
    const char *root = getenv("MYDOCKER_ROOT");

    return root && *root ? root : DEFAULT_ROOT;
}

/* One pass over the directory open as dir: removes every entry it can,
 * and stops at the first subdirectory that is not empty, which it opens
 * into *sub (returns 1). 0 once dir is empty; -1 after saying why not.
 * Everything is relative to dir, so no path grows with the depth. */
static int clear_dir(int dir, dev_t dev, const char *top, int *sub)
{
    DIR *d;
    struct dirent *e;
    int ret = 0;
    int fd = dup(dir);

    if (fd < 0 || !(d = fdopendir(fd))) {
        err_sys("remove %s: open a directory inside", top);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    while (ret == 0 && (e = readdir(d))) {
        struct stat st;

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (fstatat(dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            ret = -1;
        } else if (!S_ISDIR(st.st_mode)) {
            ret = unlinkat(dir, e->d_name, 0);
        } else if (st.st_dev != dev) {
            /* A mount below: never empty what is mounted there. */
            err_msg("remove %s: %s is another filesystem (a mount?): stopping", top, e->d_name);
            ret = -2;
        } else if (unlinkat(dir, e->d_name, AT_REMOVEDIR) < 0) {
            if (errno != ENOTEMPTY && errno != EEXIST) {
                ret = -1;
            } else {
                *sub = openat(dir, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                ret = *sub < 0 ? -1 : 1;
            }
        }
        if (ret == -1)
            err_sys("remove %s: %s", top, e->d_name);
    }
    closedir(d);
    return ret < 0 ? -1 : ret;
}

int remove_tree(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int depth = 0;
    struct stat st;
    int r;

    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        err_sys("remove %s", path);
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        err_sys("remove %s", path);
        close(fd);
        return -1;
    }
    /* Depth first with one fd at a time, whatever the depth: down into the
     * first subdirectory that is not empty; once a directory is empty, back
     * up through ".." to clear the parent again, where the empty directory
     * now goes with an rmdir. Removal by growing paths would stop at
     * PATH_MAX, and the container decides how deep its tree is. */
    for (;;) {
        int sub = -1;
        int next;

        r = clear_dir(fd, st.st_dev, path, &sub);
        if (r < 0 || (r == 0 && depth == 0))
            break;
        next = r == 1 ? sub : openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (next < 0) {
            err_sys("remove %s: open a parent directory", path);
            r = -1;
            break;
        }
        close(fd);
        fd = next;
        depth += r == 1 ? 1 : -1;
    }
    close(fd);
    if (r < 0)
        return -1;
    if (rmdir(path) < 0) {
        err_sys("remove %s", path);
        return -1;
    }
    return 0;
}

/* GNU tar by an absolute path, found once: not through the PATH that
 * mydocker was given, which its caller controls. */
static const char *tar_path(void)
{
    static const char *const candidates[] = {"/usr/bin/tar", "/bin/tar"};
    static const char *found;

    for (size_t i = 0; !found && i < sizeof(candidates) / sizeof(candidates[0]); i++) {
        if (access(candidates[i], X_OK) == 0)
            found = candidates[i];
    }
    if (!found)
        err_msg("no tar in /usr/bin or /bin: install GNU tar");
    return found;
}

/* tar's environment is fixed, not ours: TAR_OPTIONS=--absolute-names in
 * the caller's would switch off the defences untar() relies on, and
 * TAPE or a locale could change what it reads or prints. */
static char *const tar_env[] = {"PATH=/usr/bin:/bin", "LC_ALL=C", NULL};

int run_tar(char *const argv[], const char *file, int out_fd, int dir_fd)
{
    const char *tar = tar_path();
    int wstatus;
    pid_t pid;

    if (!tar)
        return -1;
    pid = fork();
    if (pid < 0) {
        err_sys("fork tar");
        return -1;
    }
    if (pid == 0) {
        if ((out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0) ||
            (dir_fd >= 0 && fchdir(dir_fd) < 0) || close_extra_fds() < 0)
            _exit(127);
        reset_signals();
        execve(tar, argv, tar_env);
        err_sys("exec tar");
        _exit(127);
    }
    if (waitpid(pid, &wstatus, 0) < 0 || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
        err_msg("tar %s --file %s failed", argv[1], file);
        return -1;
    }
    return 0;
}
