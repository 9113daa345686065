#include "limit.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

const char *const cg_controller_names[CG_NCONTROLLERS] = {
    [CG_MEMORY] = "memory",
    [CG_CPU] = "cpu",
    [CG_CPUSET] = "cpuset",
    [CG_PIDS] = "pids",
};

enum {
    MIN_SHARES = 2, /* the kernel's bounds for cpu.shares */
    MAX_SHARES = 262144,
    DEFAULT_SHARES = 1024, /* v1's default, and docker's */
    DEFAULT_WEIGHT = 100,  /* v2's default */
    MAX_WEIGHT = 10000,
    MIN_QUOTA_US = 1000, /* cpu.cfs_quota_us refuses less than 1 ms */
    MAX_PIDS = 4194304,  /* PID_MAX_LIMIT on 64-bit */
};

static int fail(char *err, size_t errlen, const char *fmt, const char *text)
{
    snprintf(err, errlen, fmt, text);
    return -1;
}

/* Digits only: strtoll alone would accept " 12", "+12" and "-12". */
static int parse_digits(const char *text, long long max, long long *out)
{
    long long v = 0;
    const char *p = text;

    if (!isdigit((unsigned char)*p))
        return -1;
    for (; isdigit((unsigned char)*p); p++) {
        if (v > (max - (*p - '0')) / 10)
            return -1;
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return *p == '\0' ? 0 : (int)(p - text);
}

int limits_parse_size(const char *text, long long *bytes, char *err, size_t errlen)
{
    static const struct {
        char suffix;
        int shift;
    } units[] = {{'k', 10}, {'m', 20}, {'g', 30}};
    char digits[32];
    size_t len = strlen(text);
    int shift = 0;
    long long v;

    if (len == 0 || len >= sizeof(digits))
        return fail(err, errlen, "invalid size '%s': use a number with k, m or g, like 100m", text);
    memcpy(digits, text, len + 1);
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (tolower((unsigned char)digits[len - 1]) == units[i].suffix) {
            shift = units[i].shift;
            digits[len - 1] = '\0';
        }
    }
    if (parse_digits(digits, LLONG_MAX >> shift, &v) != 0)
        return fail(err, errlen, "invalid size '%s': use a number with k, m or g, like 100m", text);
    if (v == 0)
        return fail(err, errlen, "invalid size '%s': must be more than 0", text);
    *bytes = v << shift;
    return 0;
}

int limits_parse_shares(const char *text, long *shares, char *err, size_t errlen)
{
    long long v;

    if (parse_digits(text, MAX_SHARES, &v) != 0 || v < MIN_SHARES) {
        snprintf(err, errlen, "invalid cpu shares '%s': use a number from %d to %d", text,
                 MIN_SHARES, MAX_SHARES);
        return -1;
    }
    *shares = (long)v;
    return 0;
}

int limits_parse_cpus(const char *text, long ncpus, long *quota_us, char *err, size_t errlen)
{
    long long whole;
    long long frac = 0;
    long long scale = CPU_PERIOD_US;
    int end = parse_digits(text, LLONG_MAX / CPU_PERIOD_US / 2, &whole);

    if (end < 0 || (end > 0 && text[end] != '.'))
        return fail(err, errlen, "invalid cpus '%s': use a number like 0.5", text);
    /* Fixed point, so 0.1 is exactly 10000 us and no float rounding leaks in. */
    if (end > 0) {
        for (const char *p = text + end + 1; *p; p++) {
            if (!isdigit((unsigned char)*p) || scale == 1)
                return fail(err, errlen, "invalid cpus '%s': use a number like 0.5", text);
            scale /= 10;
            frac += (*p - '0') * scale;
        }
    }
    whole = whole * CPU_PERIOD_US + frac;
    if (whole < MIN_QUOTA_US || whole > (long long)ncpus * CPU_PERIOD_US) {
        snprintf(err, errlen,
                 "invalid cpus '%s': must be from 0.01 to %ld (the CPUs this host has)", text,
                 ncpus);
        return -1;
    }
    *quota_us = (long)whole;
    return 0;
}

int limits_parse_cpuset(const char *text, long ncpus, char *out, size_t outlen, char *err,
                        size_t errlen)
{
    const char *p = text;

    if (strlen(text) >= outlen)
        return fail(err, errlen, "invalid cpuset '%s': too long", text);
    for (;;) {
        long long lo;
        long long hi;
        int end = parse_digits(p, LLONG_MAX, &lo);

        if (end < 0)
            return fail(err, errlen, "invalid cpuset '%s': use a list like 0-1,3", text);
        p += end ? end : (int)strlen(p);
        hi = lo;
        if (*p == '-') {
            end = parse_digits(++p, LLONG_MAX, &hi);
            if (end < 0 || hi < lo)
                return fail(err, errlen, "invalid cpuset '%s': use a list like 0-1,3", text);
            p += end ? end : (int)strlen(p);
        }
        if (hi >= ncpus) {
            snprintf(err, errlen, "invalid cpuset '%s': this host has CPUs 0 to %ld", text,
                     ncpus - 1);
            return -1;
        }
        if (*p == '\0')
            break;
        if (*p++ != ',')
            return fail(err, errlen, "invalid cpuset '%s': use a list like 0-1,3", text);
    }
    snprintf(out, outlen, "%s", text);
    return 0;
}

int limits_parse_pids(const char *text, long *pids, char *err, size_t errlen)
{
    long long v;

    if (parse_digits(text, MAX_PIDS, &v) != 0 || v < 1) {
        snprintf(err, errlen, "invalid pids limit '%s': use a number from 1 to %d", text, MAX_PIDS);
        return -1;
    }
    *pids = (long)v;
    return 0;
}

bool limits_any(const struct limits *l)
{
    return l->memory_bytes || l->cpu_shares || l->cpu_quota_us || l->cpuset[0] || l->pids;
}

long cg_shares_to_weight(long shares)
{
    /* Two straight lines through the three points that matter: the minimum
     * (2 -> 1), each side's default (1024 -> 100) and the maximum
     * (262144 -> 10000). One line from end to end would give 1024 -> 39:
     * a container at docker's default weight would get less CPU than its
     * neighbours on v2. */
    if (shares <= DEFAULT_SHARES)
        return 1 + (shares - MIN_SHARES) * (DEFAULT_WEIGHT - 1) / (DEFAULT_SHARES - MIN_SHARES);
    return DEFAULT_WEIGHT + (shares - DEFAULT_SHARES) * (MAX_WEIGHT - DEFAULT_WEIGHT) /
                                (MAX_SHARES - DEFAULT_SHARES);
}

/* ---- which files a limit writes ---------------------------------------- */

static int memory_value(const struct limits *l, bool v2, char *buf, size_t len)
{
    (void)v2;
    snprintf(buf, len, "%lld", l->memory_bytes);
    return l->memory_bytes != 0;
}

/* Without a swap limit a memory hog swaps out instead of being OOM-killed.
 * v1 limits memory+swap together (so equal means no swap); v2 limits swap
 * alone. */
static int swap_value(const struct limits *l, bool v2, char *buf, size_t len)
{
    snprintf(buf, len, "%lld", v2 ? 0 : l->memory_bytes);
    return l->memory_bytes != 0;
}

static int shares_value(const struct limits *l, bool v2, char *buf, size_t len)
{
    snprintf(buf, len, "%ld", v2 ? cg_shares_to_weight(l->cpu_shares) : l->cpu_shares);
    return l->cpu_shares != 0;
}

static int period_value(const struct limits *l, bool v2, char *buf, size_t len)
{
    (void)v2;
    snprintf(buf, len, "%d", CPU_PERIOD_US);
    return l->cpu_quota_us != 0;
}

static int quota_value(const struct limits *l, bool v2, char *buf, size_t len)
{
    if (v2)
        snprintf(buf, len, "%ld %d", l->cpu_quota_us, CPU_PERIOD_US);
    else
        snprintf(buf, len, "%ld", l->cpu_quota_us);
    return l->cpu_quota_us != 0;
}

static int cpuset_value(const struct limits *l, bool v2, char *buf, size_t len)
{
    (void)v2;
    snprintf(buf, len, "%s", l->cpuset);
    return l->cpuset[0] != '\0';
}

static int pids_value(const struct limits *l, bool v2, char *buf, size_t len)
{
    (void)v2;
    snprintf(buf, len, "%ld", l->pids);
    return l->pids != 0;
}

/* Order matters where the kernel checks one file against another: the
 * memory limit before memory+swap (v1 wants memsw >= limit), the period
 * before the quota. */
const struct cg_file cg_files[] = {
    {CG_MEMORY, "memory.limit_in_bytes", "memory.max", false, memory_value},
    {CG_MEMORY, "memory.memsw.limit_in_bytes", "memory.swap.max", true, swap_value},
    {CG_CPU, "cpu.shares", "cpu.weight", false, shares_value},
    {CG_CPU, "cpu.cfs_period_us", NULL, false, period_value},
    {CG_CPU, "cpu.cfs_quota_us", "cpu.max", false, quota_value},
    {CG_CPUSET, "cpuset.cpus", "cpuset.cpus", false, cpuset_value},
    {CG_PIDS, "pids.max", "pids.max", false, pids_value},
};
const size_t cg_nfiles = sizeof(cg_files) / sizeof(cg_files[0]);
