/* mydocker's command line: flags in the Go book's spelling (-ti, -m,
 * -cpushare), parsed with getopt_long_only so --memory style works too. */
#include "cli.h"

#include "log.h"
#include "mydocker.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_main[] =
    "Usage: mydocker [-log-level LEVEL] COMMAND [ARG...]\n"
    "\n"
    "A container runtime built from scratch, one chapter at a time.\n"
    "\n"
    "Commands:\n"
    "  run       run a command in a new container\n"
    "\n"
    "Options:\n"
    "  -log-level LEVEL  debug, info, warn or error (default info; or MYDOCKER_LOG)\n"
    "  -h, -help         show this help\n"
    "\n"
    "Run 'mydocker COMMAND -help' for a command's flags.\n";

static const char usage_run[] =
    "Usage: mydocker run [FLAGS] COMMAND [ARG...]\n"
    "\n"
    "Run COMMAND as PID 1 in new UTS, PID, mount, IPC and network namespaces,\n"
    "with the busybox image ($MYDOCKER_ROOT/images/busybox.tar) as its read-only\n"
    "lower layer: what the container writes is gone when it exits.\n"
    "\n"
    "Flags:\n"
    "  -ti                 keep stdin attached (interactive); else stdin is /dev/null\n"
    "  -m SIZE             memory limit, e.g. 100m (k, m, g)\n"
    "  -cpushare N         relative CPU weight, 2 to 262144 (v1 cpu.shares)\n"
    "  -cpus N             CPU time limit in CPUs, e.g. 0.5\n"
    "  -cpuset LIST        CPUs allowed, e.g. 0-1,3\n"
    "  -pids N             most processes the container may have\n"
    "  -hostname NAME      the container's hostname (default: its id)\n"
    "  -privileged         keep every capability, no /proc masks, no seccomp\n"
    "                      filter: root inside can then reach the host\n"
    "  -stop-timeout SECS  after forwarding a signal, SIGKILL the container\n"
    "                      if it is still running this long after (default %d)\n"
    "  -log-level LEVEL    debug, info, warn or error\n"
    "  -h, -help           show this help\n"
    "\n"
    "Double dashes work too (--memory 100m). Exit status: the command's own,\n"
    "%d+N if signal N killed it, %d if mydocker failed, %d if COMMAND\n"
    "cannot be executed, %d if it is not found.\n";

/* An hour: a longer wait is a typo, not a plan. */
enum { MAX_STOP_TIMEOUT = 3600 };

enum {
    OPT_TTY = 256,
    OPT_MEMORY,
    OPT_CPUSHARE,
    OPT_CPUS,
    OPT_CPUSET,
    OPT_PIDS,
    OPT_STOP_TIMEOUT,
    OPT_HOSTNAME,
    OPT_PRIVILEGED,
    OPT_LOG_LEVEL,
    OPT_HELP,
};

static int set_log_level(const char *name)
{
    enum log_level level;

    if (log_parse_level(name, &level) < 0) {
        err_msg("invalid log level '%s': use debug, info, warn or error", name);
        return -1;
    }
    log_set_level(level);
    return 0;
}

static int parse_stop_timeout(const char *text, int *seconds)
{
    char *end;
    long v = strtol(text, &end, 10);

    if (*text < '0' || *text > '9' || *end != '\0' || v > MAX_STOP_TIMEOUT) {
        err_msg("invalid stop timeout '%s': use seconds from 0 to %d", text, MAX_STOP_TIMEOUT);
        return -1;
    }
    *seconds = (int)v;
    return 0;
}

/* A name as DNS would take it (RFC 1123): letters, digits, '-' and '.',
 * not starting with '-' or '.'. sethostname(2) takes any bytes, but a
 * shell prompt or a log line would not. */
static bool hostname_valid(const char *name)
{
    size_t len = strlen(name);

    if (len == 0 || len > HOSTNAME_MAX || name[0] == '-' || name[0] == '.')
        return false;
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") == len;
}

/* The option value errors come back in err; one line names the flag. */
static int parse_limit(int opt, const char *value, struct limits *l)
{
    long ncpus = sysconf(_SC_NPROCESSORS_CONF);
    char err[256];
    int ret = -1;

    switch (opt) {
    case OPT_MEMORY:
        ret = limits_parse_size(value, &l->memory_bytes, err, sizeof(err));
        break;
    case OPT_CPUSHARE:
        ret = limits_parse_shares(value, &l->cpu_shares, err, sizeof(err));
        break;
    case OPT_CPUS:
        ret = limits_parse_cpus(value, ncpus, &l->cpu_quota_us, err, sizeof(err));
        break;
    case OPT_CPUSET:
        ret = limits_parse_cpuset(value, ncpus, l->cpuset, sizeof(l->cpuset), err, sizeof(err));
        break;
    case OPT_PIDS:
        ret = limits_parse_pids(value, &l->pids, err, sizeof(err));
        break;
    default:
        snprintf(err, sizeof(err), "unknown limit");
    }
    if (ret < 0)
        err_msg("%s", err);
    return ret;
}

int parse_run_args(int argc, char **argv, struct run_opts *opts)
{
    static const struct option options[] = {
        {"ti", no_argument, NULL, OPT_TTY},
        {"it", no_argument, NULL, OPT_TTY},
        {"m", required_argument, NULL, OPT_MEMORY},
        {"memory", required_argument, NULL, OPT_MEMORY},
        {"cpushare", required_argument, NULL, OPT_CPUSHARE},
        {"cpu-shares", required_argument, NULL, OPT_CPUSHARE},
        {"cpus", required_argument, NULL, OPT_CPUS},
        {"cpuset", required_argument, NULL, OPT_CPUSET},
        {"cpuset-cpus", required_argument, NULL, OPT_CPUSET},
        {"pids", required_argument, NULL, OPT_PIDS},
        {"pids-limit", required_argument, NULL, OPT_PIDS},
        {"stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT},
        {"hostname", required_argument, NULL, OPT_HOSTNAME},
        {"privileged", no_argument, NULL, OPT_PRIVILEGED},
        {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
        {"h", no_argument, NULL, OPT_HELP},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    int opt;

    memset(opts, 0, sizeof(*opts));
    opts->stop_timeout = DEFAULT_STOP_TIMEOUT;
    /* optind = 0 restarts GNU getopt from scratch; opterr = 0 lets us word
     * the error; the leading '+' stops at the command, so "sh -c" keeps its
     * own flags; ':' reports a missing value as ':', not as '?'. */
    optind = 0;
    opterr = 0;
    while ((opt = getopt_long_only(argc, argv, "+:", options, NULL)) != -1) {
        switch (opt) {
        case OPT_TTY:
            opts->tty = true;
            break;
        case OPT_MEMORY:
        case OPT_CPUSHARE:
        case OPT_CPUS:
        case OPT_CPUSET:
        case OPT_PIDS:
            if (parse_limit(opt, optarg, &opts->limits) < 0)
                return -1;
            break;
        case OPT_HOSTNAME:
            if (!hostname_valid(optarg)) {
                err_msg("invalid hostname '%s': use letters, digits, '-' and '.', at most %d "
                        "characters",
                        optarg, HOSTNAME_MAX);
                return -1;
            }
            opts->hostname = optarg;
            break;
        case OPT_PRIVILEGED:
            opts->privileged = true;
            break;
        case OPT_STOP_TIMEOUT:
            if (parse_stop_timeout(optarg, &opts->stop_timeout) < 0)
                return -1;
            break;
        case OPT_LOG_LEVEL:
            if (set_log_level(optarg) < 0)
                return -1;
            break;
        case OPT_HELP:
            /* The figures come from the constants the code uses. */
            printf(usage_run, DEFAULT_STOP_TIMEOUT, SIGNAL_EXIT_BASE, EXIT_MYDOCKER,
                   EXIT_CANNOT_EXEC, EXIT_NOT_FOUND);
            return 1;
        case ':':
            err_msg("flag %s needs a value (see mydocker run -help)", argv[optind - 1]);
            return -1;
        default:
            err_msg("unknown flag %s (see mydocker run -help)", argv[optind - 1]);
            return -1;
        }
    }
    if (optind >= argc) {
        err_msg("run needs a command, e.g. mydocker run -ti sh (see mydocker run -help)");
        return -1;
    }
    opts->argv = argv + optind;
    return 0;
}

int parse_main_args(int argc, char **argv)
{
    static const struct option options[] = {
        {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
        {"h", no_argument, NULL, OPT_HELP},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    const char *env = getenv("MYDOCKER_LOG");
    int opt;

    if (env && *env && set_log_level(env) < 0)
        return -1;
    opterr = 0;
    while ((opt = getopt_long_only(argc, argv, "+:", options, NULL)) != -1) {
        switch (opt) {
        case OPT_LOG_LEVEL:
            if (set_log_level(optarg) < 0)
                return -1;
            break;
        case OPT_HELP:
            fputs(usage_main, stdout);
            return 0;
        default:
            err_msg("unknown flag %s (see mydocker -help)", argv[optind - 1]);
            return -1;
        }
    }
    if (optind >= argc) {
        fputs(usage_main, stderr);
        return -1;
    }
    return optind;
}
