/* Parent side: start the container, limit it, wait for it, tear down. */
#ifndef MYDOCKER_RUN_H
#define MYDOCKER_RUN_H

#include "cgroups.h"

#include <stdbool.h>

struct run_opts {
    bool tty;
    struct limits limits;
    int stop_timeout;
    char **argv; /* the command, NULL-terminated */
};

/* Runs the container and returns mydocker's exit status: the container's
 * own, 128+N if signal N killed it, or 125/126/127 (mydocker.h). */
int run_container(const struct run_opts *opts);

#endif
