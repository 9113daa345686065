/* Resource limits through cgroups, v1 and v2 behind one small interface. */
#ifndef MYDOCKER_CGROUPS_H
#define MYDOCKER_CGROUPS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The controllers mydocker knows. A limit names the one it needs. */
enum cg_controller { CG_MEMORY, CG_CPU, CG_CPUSET, CG_PIDS, CG_NCONTROLLERS };

/* CFS period for -cpus: the kernel's default, 100 ms. */
enum { CPU_PERIOD_US = 100000 };

/* What the user asked for; a zero or empty field was not asked for. */
struct limits {
    long long memory_bytes;
    long cpu_shares;
    long cpu_quota_us; /* per CPU_PERIOD_US */
    char cpuset[64];
    long pids;
};

/* Flag parsers: 0 on success, else -1 with a reason in err. */
int limits_parse_size(const char *text, long long *bytes, char *err, size_t errlen);
int limits_parse_shares(const char *text, long *shares, char *err, size_t errlen);
int limits_parse_cpus(const char *text, long ncpus, long *quota_us, char *err, size_t errlen);
int limits_parse_cpuset(const char *text, long ncpus, char *out, size_t outlen, char *err,
                        size_t errlen);
int limits_parse_pids(const char *text, long *pids, char *err, size_t errlen);
bool limits_any(const struct limits *l);

/* cgroup v2 knows no shares; it has weights (1..10000, default 100). */
long cg_shares_to_weight(long shares);

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
/* Both of the above, for this host. */
int cg_layout_detect(struct cg_layout *layout);
/* "v1", "v2", "hybrid" or "none": for the log and the README's lesson. */
const char *cg_layout_name(const struct cg_layout *layout);

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
