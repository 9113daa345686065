/* Parent side: start the container, limit it, wait for it, tear down. */
#ifndef MYDOCKER_RUN_H
#define MYDOCKER_RUN_H

#include "cgroups.h"
#include "volume.h"

#include <stdbool.h>

/* Seconds a container gets to exit after a forwarded signal, as docker stop. */
enum { DEFAULT_STOP_TIMEOUT = 10 };

/* The longest -hostname: a DNS label (RFC 1035). */
enum { HOSTNAME_MAX = 63 };

struct run_opts {
    bool tty;
    bool privileged;      /* no hardening: see container_args */
    const char *hostname; /* NULL: the container's id */
    struct limits limits;
    int stop_timeout;
    struct volume *volumes; /* nvolumes of them */
    int nvolumes;
    char **argv; /* the command, NULL-terminated */
};

/* Fills opts from "run"'s arguments (argv[0] is "run"). Returns 0, 1 when
 * --help was printed, or -1 after printing what is wrong. Lives in main.c. */
int parse_run_args(int argc, char **argv, struct run_opts *opts);

/* Runs the container and returns mydocker's exit status: the container's
 * own, 128+N if signal N killed it, or 125/126/127 (container.h). */
int run_container(const struct run_opts *opts);

#endif
