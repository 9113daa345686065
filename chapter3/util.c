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
