/* Parent side: start the container, limit it, wait for it, tear down. */
#ifndef MYDOCKER_RUN_H
#define MYDOCKER_RUN_H

#include "cgroups.h"

#include <stdbool.h>

/* The longest -hostname: a DNS label (RFC 1035). */
enum { HOSTNAME_MAX = 63 };

struct run_opts {
    bool tty;
    bool privileged;      /* no hardening: see container_args */
    const char *hostname; /* NULL: the container's id */
    struct limits limits;
    int stop_timeout;
    char **argv; /* the command, NULL-terminated */
};

/* Runs the container and returns mydocker's exit status: the container's
 * own, 128+N if signal N killed it, or 125/126/127 (mydocker.h). */
int run_container(const struct run_opts *opts);

#endif
