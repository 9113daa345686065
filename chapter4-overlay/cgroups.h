/* Resource limits through cgroups, v1 and v2 behind one small interface. */
#ifndef MYDOCKER_CGROUPS_H
#define MYDOCKER_CGROUPS_H

#include "cg_layout.h"
#include "limit.h"

#include <limits.h>
#include <stdbool.h>

/* One container's cgroup directories: one per v1 hierarchy it uses, and
 * one on v2; a hybrid host can need both. */
enum { CG_MAX_DIRS = CG_NCONTROLLERS + 1 };
struct cgroup {
    int ndirs;
    struct {
        char path[PATH_MAX];
        bool v2;
        int lock_fd; /* the dir, flock()ed while its mydocker lives */
    } dir[CG_MAX_DIRS];
};

/* Creates <root>/mydocker/<id> where the limits need it and writes them.
 * Removes what it made if any step fails. */
int cgroup_create(struct cgroup *cg, const struct cg_layout *layout, const struct limits *l,
                  const char *id);
/* Opens, close-on-exec, the file through which a process joins each
 * directory; returns how many fds it put in fds, or -1. */
int cgroup_open_join(const struct cgroup *cg, int fds[CG_MAX_DIRS]);
/* Run by the joining process itself: puts it into each of those cgroups. */
int cgroup_join(const int *fds, int n);
/* Removes the directories; the processes must be gone. */
int cgroup_destroy(struct cgroup *cg);

/* Every hierarchy's mount point, each once: where <root>/mydocker may be. */
int cg_layout_roots(const struct cg_layout *layout, const char *roots[CG_MAX_DIRS]);
/* Removes the cgroup dirs of runs killed with SIGKILL, after ending what
 * still runs in them. A run is dead when nobody holds its dir's lock. */
void cgroups_reap_stale(void);

#endif
