/* bench-timer: the interleaved timing loop of scripts/bench.sh.
 *
 *   bench-timer [-n ITER] [-w WARMUP] [-P PAR] -- NAME PREP CMD... [:: NAME PREP CMD...]
 *
 * Each round runs every command once, so drift in the machine's load hits
 * all of them alike; each round starts one command further on (A B C,
 * B C A, C A B, ...), so that what one command leaves behind (a namespace
 * the kernel frees later, say) does not always land on the same next one.
 * The first WARMUP rounds are not counted. PREP is a shell command run, untimed, before each
 * run of its command ("" for none). CMD may start with VAR=VALUE words, set
 * in its environment only; "{n}" in a word becomes the run's sequence
 * number (1, 2, ...; warm-ups count), for outputs that need fresh names.
 * A run is timed from just before posix_spawn to just after its waitpid,
 * on CLOCK_MONOTONIC. With -P PAR, a run starts PAR copies of the command
 * at once and lasts until the last one exits.
 *
 * Prints one line per command, tab-separated, times in microseconds:
 *   NAME runs failures median min max mean p90
 * (failures: processes whose status was not 0; a run with any is left
 * out of the times). The commands' stdin and stdout are /dev/null, their
 * stderr is ours. SIGTERM or SIGINT: no new run starts; the runs under way
 * are waited for, so nothing of theirs is left behind; nothing is printed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

enum { MAX_WORDS = 256, MAX_CMDS = 64, MAX_PAR = 256 };

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
    stop = sig;
}

struct cmd {
    const char *name;
    const char *prep;
    char **argv; /* NULL-terminated, after the VAR=VALUE words */
    char **envp; /* environ plus those words */
    double *us;  /* each run's time; 0 for a run that failed */
    int runs;
    int fails;
    int seq; /* runs started, warm-ups included: "{n}" */
};

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Splits argv at "::" into commands; builds each one's environment. */
static int parse(int argc, char **argv, struct cmd *cmds, int max, int iters)
{
    int n = 0;
    size_t nenv = 0;

    while (environ[nenv])
        nenv++;
    for (int i = 0; i < argc; n++) {
        int start = i, nvars = 0;
        struct cmd *c = &cmds[n];

        while (i < argc && strcmp(argv[i], "::") != 0)
            i++;
        if (n == max || i - start < 3) {
            fprintf(stderr, "bench-timer: each command needs NAME PREP CMD (at most %d)\n", max);
            return -1;
        }
        if (i < argc)
            argv[i++] = NULL; /* "::" ends this command's argv */
        c->name = argv[start];
        c->prep = argv[start + 1];
        c->argv = &argv[start + 2];
        while (c->argv[0] && strchr(c->argv[0], '=') && c->argv[0][0] != '/')
            c->argv++, nvars++;
        c->envp = calloc(nenv + (size_t)nvars + 1, sizeof(char *));
        c->us = calloc((size_t)iters + 1, sizeof(double));
        if (!c->argv[0] || !c->envp || !c->us)
            return -1;
        for (int v = 0; v < nvars; v++)
            c->envp[v] = c->argv[v - nvars];
        memcpy(c->envp + nvars, environ, nenv * sizeof(char *));
    }
    return n;
}

/* The argv of the next run: "{n}" replaced by its sequence number. */
static char **next_argv(struct cmd *c, char **buf, char *words, size_t len)
{
    int i = 0;

    c->seq++;
    for (; i < MAX_WORDS - 1 && c->argv[i]; i++) {
        const char *at = strstr(c->argv[i], "{n}");
        int w;

        buf[i] = c->argv[i];
        if (!at)
            continue;
        w = snprintf(words, len, "%.*s%d%s", (int)(at - c->argv[i]), c->argv[i], c->seq, at + 3);
        if (w < 0 || (size_t)w >= len)
            break;
        buf[i] = words;
        words += w + 1, len -= (size_t)w + 1;
    }
    buf[i] = NULL;
    return buf;
}

/* One run: PAR copies at once. Returns the wall time; counts failures. */
static double run_once(struct cmd *c, int par, posix_spawn_file_actions_t *fa, int *failed)
{
    static char words[8192];
    char *buf[MAX_WORDS];
    char **argv = next_argv(c, buf, words, sizeof(words));
    pid_t pids[MAX_PAR];
    double t0;
    int started = 0;

    *failed = 0;
    if (!argv[0]) { /* parse() saw to it; for the analyzers */
        *failed = par;
        return 0;
    }
    if (c->prep[0] && system(c->prep) != 0)
        fprintf(stderr, "bench-timer: %s: prep '%s' failed\n", c->name, c->prep);
    t0 = now_us();
    for (int i = 0; i < par; i++) {
        int err = posix_spawnp(&pids[started], argv[0], fa, NULL, argv, c->envp);

        if (err) {
            fprintf(stderr, "bench-timer: %s: spawn %s: %s\n", c->name, c->argv[0], strerror(err));
            (*failed)++;
        } else {
            started++;
        }
    }
    for (int i = 0; i < started; i++) {
        int status = 0;
        pid_t got;

        while ((got = waitpid(pids[i], &status, 0)) < 0 && errno == EINTR)
            ;
        if (got < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            (*failed)++;
    }
    return now_us() - t0;
}

int main(int argc, char **argv)
{
    static struct cmd cmds[MAX_CMDS];
    struct sigaction sa = {.sa_handler = on_stop};
    posix_spawn_file_actions_t fa;
    int iters = 10, warmup = 1, par = 1, opt, n;

    while ((opt = getopt(argc, argv, "n:w:P:")) != -1) {
        if (opt == 'n')
            iters = atoi(optarg);
        else if (opt == 'w')
            warmup = atoi(optarg);
        else if (opt == 'P')
            par = atoi(optarg);
        else
            return 2;
    }
    if (iters < 1 || warmup < 0 || par < 1 || par > MAX_PAR) {
        fprintf(stderr, "bench-timer: -n >= 1, -w >= 0, 1 <= -P <= 256\n");
        return 2;
    }
    n = parse(argc - optind, argv + optind, cmds, MAX_CMDS, iters);
    if (n <= 0)
        return 2;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    for (int round = 0; round < warmup + iters; round++) {
        for (int k = 0; k < n && !stop; k++) {
            struct cmd *c = &cmds[(round + k) % n];
            int failed;
            double us = run_once(c, par, &fa, &failed);

            if (round < warmup)
                continue;
            c->us[c->runs++] = failed ? 0 : us;
            c->fails += failed;
        }
    }
    if (stop)
        return 128 + stop;
    for (int i = 0; i < n; i++) {
        struct cmd *c = &cmds[i];
        int ok = 0;
        double sum = 0;

        /* Failed runs left holes (zeros): keep the good times only. */
        for (int r = 0; r < c->runs; r++) {
            if (c->us[r] > 0)
                c->us[ok++] = c->us[r];
        }
        qsort(c->us, (size_t)ok, sizeof(double), by_value);
        for (int r = 0; r < ok; r++)
            sum += c->us[r];
        if (ok == 0) {
            printf("%s\t%d\t%d\t-\t-\t-\t-\t-\n", c->name, c->runs, c->fails);
            continue;
        }
        /* p90 by nearest rank: the smallest time at least 90% of runs reach. */
        printf("%s\t%d\t%d\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\n", c->name, c->runs, c->fails,
               ok % 2 ? c->us[ok / 2] : (c->us[ok / 2 - 1] + c->us[ok / 2]) / 2, c->us[0],
               c->us[ok - 1], sum / ok, c->us[(9 * ok + 9) / 10 - 1]);
    }
    return 0;
}
