#include "terminal.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

/* Puts the caller's process group in the terminal's foreground. SIGTTOU is
 * blocked meanwhile: a background group that calls tcsetpgrp(3) is
 * stopped by it, and both callers are in a background group then. */
static int set_foreground(void)
{
    sigset_t ttou;
    sigset_t old;
    int ret;

    sigemptyset(&ttou);
    sigaddset(&ttou, SIGTTOU);
    sigprocmask(SIG_BLOCK, &ttou, &old);
    ret = tcsetpgrp(STDIN_FILENO, getpgrp());
    sigprocmask(SIG_SETMASK, &old, NULL);
    return ret;
}

/* With -ti the command shares mydocker's terminal. A shell with job
 * control wants its own process group in the foreground, and at exit
 * gives the terminal back to the group it found there; mydocker's group
 * lives in the host's PID namespace and cannot be seen from the
 * container, so dash would fail ("Cannot set tty process group") and
 * exit 2. So the container gets a group of its own, and the terminal. */
int terminal_take(void)
{
    if (!isatty(STDIN_FILENO))
        return 0;
    if (setpgid(0, 0) < 0)
        return -1;
    return set_foreground();
}

/* Without -ti the command must not reach mydocker's terminal at all. In
 * the caller's session it could open /dev/tty and read the keyboard, or
 * push keys into it; a session of its own has no controlling terminal
 * (open("/dev/tty") fails with ENXIO). See credentials(7) and setsid(2).
 * stdin is /dev/null, as with docker run without -i. */
int terminal_detach(void)
{
    int null_fd;
    int ret;

    if (setsid() < 0)
        return -1;
    null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd < 0)
        return -1;
    ret = dup2(null_fd, STDIN_FILENO) < 0 ? -1 : 0;
    close(null_fd);
    return ret;
}

/* The container took the terminal; take it back, so that mydocker is not
 * left writing from a background group. */
void terminal_restore(void)
{
    if (isatty(STDIN_FILENO))
        set_foreground();
}
