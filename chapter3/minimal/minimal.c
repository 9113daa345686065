/* A whole container in one page of C: the idea of chapter3 before the
 * robustness. A child is cloned into new namespaces, makes its mounts
 * private, takes a hostname and a /proc of its own, and becomes the
 * command. The parent waits and hands on the exit status.
 *
 *   cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -o minimal chapter3/minimal/minimal.c
 *   sudo ./minimal sh
 *
 * What it leaves out, mydocker does: cgroup limits, signals forwarded to
 * PID 1, telling "the command failed" from "the setup failed", keeping
 * the terminal out of reach without -ti, closing inherited fds. */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

enum { STACK_SIZE = 1024 * 1024 };

static const char hostname[] = "container";

/* The child can only report and stop: there is no one to undo anything
 * for, and its mounts die with its mount namespace. */
static void die(const char *what)
{
    perror(what);
    _exit(125);
}

/* Runs in the new namespaces, as PID 1 of the new PID namespace. */
static int child(void *arg)
{
    char **argv = arg;

    /* The new mount namespace still shares mount events with the host's
     * (systemd makes / shared): without this, the /proc mount below would
     * cover the host's /proc too. See mount_namespaces(7). */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        die("mount / private");
    /* Only our UTS namespace sees this name. */
    if (sethostname(hostname, strlen(hostname)) < 0)
        die("sethostname");
    /* The /proc we inherited shows the host's PID namespace: ps would list
     * every host process. A new instance shows ours, with us as PID 1. */
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL) < 0)
        die("mount proc");
    execvp(argv[0], argv);
    die(argv[0]);
    return 125;
}

int main(int argc, char **argv)
{
    const int flags = CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET;
    char *stack;
    int status;
    pid_t pid;

    if (argc < 2) {
        fprintf(stderr, "usage: sudo %s COMMAND [ARG...]\n", argv[0]);
        return 125;
    }
    /* clone(2) runs child() on a stack we give it, which grows down: pass
     * its top. SIGCHLD tells the kernel to signal us when it exits, so
     * waitpid() works as for a fork. */
    stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                 -1, 0);
    if (stack == MAP_FAILED) {
        perror("mmap");
        return 125;
    }
    pid = clone(child, stack + STACK_SIZE, flags | SIGCHLD, argv + 1);
    if (pid < 0) {
        perror("clone (needs root)");
        return 125;
    }
    if (waitpid(pid, &status, 0) < 0) {
        perror("waitpid");
        return 125;
    }
    /* As a shell reports it: the exit code, or 128+N for signal N. */
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
