/* What the user may limit, parsed from the flags, and what each limit
 * writes into which cgroup file on v1 and on v2. Pure logic: no file is
 * touched here, so all of it is unit-tested (tests/unit/chapter3). */
#ifndef MYDOCKER_LIMIT_H
#define MYDOCKER_LIMIT_H

#include <stdbool.h>
#include <stddef.h>

/* The controllers mydocker knows. A limit names the one it needs. */
enum cg_controller { CG_MEMORY, CG_CPU, CG_CPUSET, CG_PIDS, CG_NCONTROLLERS };

/* "memory", "cpu", ...: the names cgroupfs uses, in enum order. */
extern const char *const cg_controller_names[CG_NCONTROLLERS];

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

/* One cgroup file a limit writes: its name on v1 and on v2 (NULL where
 * that version has no such file), and a value function that says whether
 * the limit was asked for (1) and formats it for the version at hand. */
struct cg_file {
    enum cg_controller controller;
    const char *v1;
    const char *v2;
    bool optional; /* absent when the kernel lacks swap accounting */
    int (*value)(const struct limits *l, bool v2, char *buf, size_t len);
};

/* Every file, in the order they must be written. */
extern const struct cg_file cg_files[];
extern const size_t cg_nfiles;

#endif
