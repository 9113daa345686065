/* Where each cgroup controller lives on this host: v1, v2 or both. */
#ifndef MYDOCKER_CG_LAYOUT_H
#define MYDOCKER_CG_LAYOUT_H

#include "limit.h"

#include <limits.h>
#include <stdbool.h>

/* Where each controller lives on this host. v1 hierarchies are found by
 * their mount options; v2 offers what its cgroup.controllers lists. A
 * hybrid host (v1 controllers plus a v2 mount holding few or none) is just
 * both at once: each controller goes where it is really available. */
struct cg_layout {
    char v1[CG_NCONTROLLERS][PATH_MAX]; /* "" when not mounted as v1 */
    char v2[PATH_MAX];                  /* "" when no cgroup2 mount */
    bool in_v2[CG_NCONTROLLERS];        /* listed in v2's cgroup.controllers */
};

/* Fills the mount points from the text of a /proc/self/mountinfo. */
int cg_layout_parse(const char *mountinfo, struct cg_layout *layout);
/* Reads <v2>/cgroup.controllers into in_v2. */
int cg_layout_read_v2(struct cg_layout *layout);
/* The mount points alone, from this host's /proc/self/mountinfo. */
int cg_layout_read_mounts(struct cg_layout *layout);
/* Mounts and cgroup.controllers, for this host. */
int cg_layout_detect(struct cg_layout *layout);
/* "v1", "v2", "hybrid" or "none": for the log and the README's lesson. */
const char *cg_layout_name(const struct cg_layout *layout);

#endif
