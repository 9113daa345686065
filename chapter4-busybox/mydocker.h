/* What every part of mydocker shares: the exit codes the parent, the
 * child and the subcommands all return. */
#ifndef MYDOCKER_MYDOCKER_H
#define MYDOCKER_MYDOCKER_H

/* Docker's exit codes for failures that are not the command's own. */
enum {
    EXIT_MYDOCKER = 125,    /* mydocker itself failed */
    EXIT_CANNOT_EXEC = 126, /* the command exists but cannot run */
    EXIT_NOT_FOUND = 127,   /* no such command */
    SIGNAL_EXIT_BASE = 128, /* exit status 128+N: killed by signal N */
};

/* Seconds a container gets to exit after a forwarded signal, as docker stop. */
enum { DEFAULT_STOP_TIMEOUT = 10 };

#endif
