#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *const chapters[] = {
    "chapter3", "chapter4-busybox", "chapter4-overlay", "chapter4-volume", "chapter4-commit", NULL,
};
const char *chapter;
char mydocker_bin[4096];
char state_root[4096];
char busybox_tar[4096];
char repo_dir[4096];
struct result last_result;

int chapter_index(const char *name)
{
    for (int i = 0; chapters[i]; i++) {
        if (strcmp(chapters[i], name) == 0)
            return i;
    }
    return -1;
}

bool chapter_has(const char *first)
{
    return chapter_index(chapter) >= chapter_index(first);
}

/* ---- files ------------------------------------------------------------ */

char *read_text(const char *path)
{
    FILE *f = fopen(path, "re");
    char *buf = NULL;
    size_t len = 0;
    size_t cap = 0;
    size_t n;

    if (!f)
        return NULL;
    do {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 8192;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
    } while (n > 0);
    fclose(f);
    buf[len] = '\0';
    return buf;
}

bool path_exists(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
}

void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "we");

    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

static int rm_rf_at(int at, const char *name, dev_t dev)
{
    struct stat st;
    int ret = 0;

    if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : -1;
    if (S_ISDIR(st.st_mode)) {
        int fd;
        DIR *d;
        struct dirent *e;

        if (st.st_dev != dev) {
            fprintf(stderr, "harness: refusing to remove %s: another filesystem is mounted there\n",
                    name);
            return -1;
        }
        fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            return -1;
        d = fdopendir(fd);
        if (!d) {
            close(fd);
            return -1;
        }
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                ret |= rm_rf_at(dirfd(d), e->d_name, dev);
        }
        closedir(d);
        return ret | unlinkat(at, name, AT_REMOVEDIR);
    }
    return unlinkat(at, name, 0);
}

int rm_rf(const char *path)
{
    struct stat st;

    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -1;
    return rm_rf_at(AT_FDCWD, path, st.st_dev);
}

int host_sh(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    int status;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    status = system(cmd);
    if (status < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

const char *install_helper(const char *name)
{
    static char bin[PATH_MAX];

    /* The unpacked image is the root of chapter4-busybox and the lower
     * layer of the later chapters: either way the container sees it. */
    assert_int_equal(md(&last_result, "-log-level", "error", "run", "true", NULL), 0);
    snprintf(bin, sizeof(bin), "%s/images/busybox/%s", state_root, name);
    assert_int_equal(
        host_sh("cc -static -O1 -o '%s' '%s/tests/integration/helpers/%s.c'", bin, repo_dir, name),
        0);
    return bin;
}

/* ---- processes --------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static pid_t spawn(char *const argv[], const char *input, int *out_fd, int *err_fd)
{
    int out[2];
    int err[2];
    int in[2] = {-1, -1};
    pid_t pid;

    if (input)
        assert_int_equal(pipe2(in, O_CLOEXEC), 0);
    assert_int_equal(pipe2(out, O_CLOEXEC), 0);
    assert_int_equal(pipe2(err, O_CLOEXEC), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int in_fd = input ? in[0] : open("/dev/null", O_RDONLY);

        dup2(in_fd, STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        dup2(err[1], STDERR_FILENO);
        /* A fresh process group, so a test's signal reaches only what it means. */
        setpgid(0, 0);
        execv(argv[0], argv);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    if (input) {
        close(in[0]);
        assert_int_equal(write(in[1], input, strlen(input)), (ssize_t)strlen(input));
        close(in[1]);
    }
    *out_fd = out[0];
    *err_fd = err[0];
    return pid;
}

static int wait_status(pid_t pid)
{
    int wstatus;

    assert_int_equal(waitpid(pid, &wstatus, 0), pid);
    return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

/* Reads whatever is ready; returns false once both pipes are at EOF. */
static bool pump(struct proc *p, int timeout_ms)
{
    struct pollfd fds[2] = {{p->out_fd, POLLIN, 0}, {p->err_fd, POLLIN, 0}};
    char *bufs[2] = {p->out, p->err};
    size_t *lens[2] = {&p->out_len, &p->err_len};
    int *fdp[2] = {&p->out_fd, &p->err_fd};

    if (p->out_fd < 0 && p->err_fd < 0)
        return false;
    if (poll(fds, 2, timeout_ms) < 0)
        return errno == EINTR;
    for (int i = 0; i < 2; i++) {
        if (*fdp[i] >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
            char tmp[4096];
            ssize_t n = read(*fdp[i], tmp, sizeof(tmp));

            if (n <= 0) {
                close(*fdp[i]);
                *fdp[i] = -1;
                continue;
            }
            if (*lens[i] + (size_t)n >= OUT_MAX)
                n = (ssize_t)(OUT_MAX - 1 - *lens[i]);
            memcpy(bufs[i] + *lens[i], tmp, (size_t)n);
            *lens[i] += (size_t)n;
            bufs[i][*lens[i]] = '\0';
        }
    }
    return true;
}

/* What this test started, so that a test that fails half-way does not
 * leave its container running for the next one (leak_teardown ends it). */
enum { MAX_STARTED = 128 };
static pid_t started[MAX_STARTED];
static int nstarted;

static void proc_start(struct proc *p, char *const argv[], const char *input)
{
    p->out_len = p->err_len = 0;
    p->out[0] = p->err[0] = '\0';
    p->pid = spawn(argv, input, &p->out_fd, &p->err_fd);
    if (nstarted < MAX_STARTED)
        started[nstarted++] = p->pid;
}

/* Ends what the test left running: its container first (SIGKILL, which
 * the host may send any init), so that mydocker tears down as it would;
 * mydocker itself only if it does not exit then. waitpid on a pid that
 * was reaped already fails (ECHILD): a reused pid is never ours. */
static void end_started(void)
{
    for (int i = 0; i < nstarted; i++) {
        char path[64];
        char *kids;
        int wstatus;

        if (waitpid(started[i], &wstatus, WNOHANG) != 0)
            continue;
        fprintf(stderr, "harness: the test left mydocker %d running: ending it\n", (int)started[i]);
        snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)started[i], (int)started[i]);
        kids = read_text(path);
        for (char *k = kids; k && *k;) {
            char *end;
            long kid = strtol(k, &end, 10);

            if (end == k)
                break;
            kill((pid_t)kid, SIGKILL);
            k = end;
        }
        free(kids);
        for (int tries = 0; tries < 100 && waitpid(started[i], &wstatus, WNOHANG) == 0; tries++)
            usleep(100000);
        if (waitpid(started[i], &wstatus, WNOHANG) == 0) {
            kill(started[i], SIGKILL);
            waitpid(started[i], &wstatus, 0);
        }
    }
    nstarted = 0;
}

int proc_finish(struct proc *p, int timeout_s)
{
    double deadline = now_s() + timeout_s;
    int status;

    while (pump(p, 100)) {
        if (now_s() > deadline) {
            kill(p->pid, SIGKILL);
            wait_status(p->pid);
            print_error("timed out after %ds\nstdout:\n%s\nstderr:\n%s\n", timeout_s, p->out,
                        p->err);
            fail();
        }
    }
    status = wait_status(p->pid);
    return status;
}

void proc_wait_for(struct proc *p, const char *text, int timeout_s)
{
    double deadline = now_s() + timeout_s;

    while (!strstr(p->out, text)) {
        if (now_s() > deadline || !pump(p, 100)) {
            if (strstr(p->out, text))
                return;
            kill(p->pid, SIGKILL);
            print_error("waited %ds for \"%s\"\nstdout:\n%s\nstderr:\n%s\n", timeout_s, text,
                        p->out, p->err);
            wait_status(p->pid);
            fail();
        }
    }
}

void proc_wait_for_err(struct proc *p, const char *text, int timeout_s)
{
    double deadline = now_s() + timeout_s;

    while (!strstr(p->err, text)) {
        if (now_s() > deadline || !pump(p, 100)) {
            if (strstr(p->err, text))
                return;
            kill(p->pid, SIGKILL);
            print_error("waited %ds for \"%s\" on stderr\nstderr:\n%s\n", timeout_s, text, p->err);
            wait_status(p->pid);
            fail();
        }
    }
}

int run_argv_input(struct result *r, char *const argv[], const char *input, int timeout_s)
{
    static struct proc p;

    proc_start(&p, argv, input);
    r->status = proc_finish(&p, timeout_s);
    memcpy(r->out, p.out, p.out_len + 1);
    memcpy(r->err, p.err, p.err_len + 1);
    return r->status;
}

int run_argv(struct result *r, char *const argv[], int timeout_s)
{
    return run_argv_input(r, argv, NULL, timeout_s);
}

enum { MAX_ARGS = 128, MD_TIMEOUT_S = 60 };

static void collect_args(char **argv, va_list ap)
{
    int n = 0;
    char *arg;

    argv[n++] = mydocker_bin;
    while ((arg = va_arg(ap, char *)) != NULL) {
        assert_true(n < MAX_ARGS - 1);
        argv[n++] = arg;
    }
    argv[n] = NULL;
}

int md(struct result *r, ...)
{
    char *argv[MAX_ARGS];
    va_list ap;

    va_start(ap, r);
    collect_args(argv, ap);
    va_end(ap);
    return run_argv(r, argv, MD_TIMEOUT_S);
}

int md_input(struct result *r, const char *input, ...)
{
    char *argv[MAX_ARGS];
    va_list ap;

    va_start(ap, input);
    collect_args(argv, ap);
    va_end(ap);
    return run_argv_input(r, argv, input, MD_TIMEOUT_S);
}

void md_spawn(struct proc *p, ...)
{
    char *argv[MAX_ARGS];
    va_list ap;

    va_start(ap, p);
    collect_args(argv, ap);
    va_end(ap);
    proc_start(p, argv, NULL);
}

pid_t container_pid(pid_t mydocker_pid)
{
    char path[64];
    double deadline = now_s() + 5;

    snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)mydocker_pid, (int)mydocker_pid);
    while (now_s() < deadline) {
        char *text = read_text(path);
        int pid = text ? atoi(text) : 0;

        free(text);
        if (pid > 0)
            return pid;
        usleep(10000);
    }
    fail_msg("mydocker %d has no child", (int)mydocker_pid);
    return -1;
}

/* ---- leak check -------------------------------------------------------- */

struct lines {
    char **v;
    size_t n;
    size_t cap;
};

static void lines_add(struct lines *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof(*l->v));
        assert_non_null(l->v);
    }
    l->v[l->n++] = strdup(s);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *lines_join(struct lines *l)
{
    size_t len = 1;
    char *s;

    qsort(l->v, l->n, sizeof(*l->v), cmp_str);
    for (size_t i = 0; i < l->n; i++)
        len += strlen(l->v[i]) + 1;
    s = calloc(1, len);
    assert_non_null(s);
    for (size_t i = 0; i < l->n; i++) {
        strcat(s, l->v[i]);
        strcat(s, "\n");
        free(l->v[i]);
    }
    free(l->v);
    return s;
}

/* Image names never start with a dot: an unpacked image is a cache the
 * suite keeps; anything else new in the state root is a leak. */
static bool is_unpacked_image(const char *rel)
{
    return strncmp(rel, "images/", 7) == 0 && rel[7] != '.' && !strchr(rel + 7, '/') &&
           !strstr(rel, ".tar");
}

static void list_tree(struct lines *l, const char *root, const char *rel)
{
    char path[PATH_MAX];
    DIR *d;
    struct dirent *e;

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    d = opendir(path);
    if (!d)
        return;
    while ((e = readdir(d))) {
        char child[PATH_MAX];
        struct stat st;

        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(child, sizeof(child), "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        /* containers/ itself is made once and kept; what it holds counts. */
        if (!is_unpacked_image(child) && strcmp(child, "containers") != 0)
            lines_add(l, child);
        snprintf(path, sizeof(path), "%s/%s", root, child);
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && !is_unpacked_image(child))
            list_tree(l, root, child);
    }
    closedir(d);
}

/* Every cgroup mount point, from mountinfo (field 5, before " - cgroup"). */
static void cgroup_mounts(struct lines *l)
{
    char *mi = read_text("/proc/self/mountinfo");
    char *save = NULL;

    assert_non_null(mi);
    for (char *line = strtok_r(mi, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char mp[PATH_MAX];

        if (!strstr(line, " - cgroup"))
            continue;
        if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1)
            lines_add(l, mp);
    }
    free(mi);
}

static char *snapshot_cgroups(void)
{
    struct lines mounts = {0};
    struct lines dirs = {0};

    cgroup_mounts(&mounts);
    for (size_t i = 0; i < mounts.n; i++) {
        char path[PATH_MAX];
        DIR *d;
        struct dirent *e;

        snprintf(path, sizeof(path), "%s/mydocker", mounts.v[i]);
        d = opendir(path);
        while (d && (e = readdir(d))) {
            char entry[PATH_MAX + 256];

            if (e->d_type != DT_DIR || e->d_name[0] == '.')
                continue;
            snprintf(entry, sizeof(entry), "%s/%s", path, e->d_name);
            lines_add(&dirs, entry);
        }
        if (d)
            closedir(d);
    }
    free(lines_join(&mounts));
    return lines_join(&dirs);
}

struct snapshot {
    char *mounts;
    char *cgroups;
    char *state;
};

static char *snapshot_state(void)
{
    struct lines l = {0};

    list_tree(&l, state_root, "");
    return lines_join(&l);
}

static char other_root[256];

const char *use_other_root(const char *template)
{
    snprintf(other_root, sizeof(other_root), "%s",
             template ? template : "/tmp/mydocker-itest-other.XXXXXX");
    if (!mkdtemp(other_root)) {
        other_root[0] = '\0';
        fail_msg("mkdtemp: %s", strerror(errno));
    }
    setenv("MYDOCKER_ROOT", other_root, 1);
    return other_root;
}

static int drop_other_root(void)
{
    int ret;

    setenv("MYDOCKER_ROOT", state_root, 1);
    if (other_root[0] == '\0')
        return 0;
    umount2(other_root, MNT_DETACH); /* a tmpfs a test mounted there, if any */
    ret = rm_rf(other_root);
    other_root[0] = '\0';
    return ret;
}

int leak_setup(void **state)
{
    struct snapshot *s = calloc(1, sizeof(*s));

    if (!s)
        return -1;
    s->mounts = read_text("/proc/self/mountinfo");
    s->cgroups = snapshot_cgroups();
    s->state = snapshot_state();
    *state = s;
    return 0;
}

/* The lines of `after` that `before` does not have, in their order. */
static void new_lines(const char *before, const char *after, struct lines *out)
{
    char *copy = strdup(after);
    char *save = NULL;

    assert_non_null(copy);
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        size_t len = strlen(line);
        const char *at = before;
        bool old = false;

        while (!old && (at = strstr(at, line))) {
            old = (at == before || at[-1] == '\n') && (at[len] == '\n' || at[len] == '\0');
            at++;
        }
        if (!old)
            lines_add(out, line);
    }
    free(copy);
}

enum { LEAK_LINES_SHOWN = 20 };

/* Prints what changed, line by line (fprintf, not print_error: cmocka
 * cuts a long message short, and the leaked line is the one that
 * matters), and returns the new lines for the caller to clean up. */
static int compare(const char *what, const char *before, const char *after, struct lines *leaked)
{
    struct lines gone = {0};

    if (strcmp(before, after) == 0)
        return 0;
    new_lines(before, after, leaked);
    new_lines(after, before, &gone);
    for (size_t i = 0; i < leaked->n && i < LEAK_LINES_SHOWN; i++)
        fprintf(stderr, "LEAK: %s: new: %s\n", what, leaked->v[i]);
    for (size_t i = 0; i < gone.n && i < LEAK_LINES_SHOWN; i++)
        fprintf(stderr, "LEAK: %s: gone: %s\n", what, gone.v[i]);
    if (leaked->n > LEAK_LINES_SHOWN || gone.n > LEAK_LINES_SHOWN)
        fprintf(stderr, "LEAK: %s: %zu new and %zu gone lines in all\n", what, leaked->n, gone.n);
    free(lines_join(&gone));
    return -1;
}

/* mountinfo writes a space in a path as \040 (and tab, newline, \ alike). */
static void unescape_octal(char *s)
{
    char *o = s;

    for (; *s; s++) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
            s[3] >= '0' && s[3] <= '7') {
            *o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
            s += 3;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
}

/* Undoes a leak, so that one failing test does not fail the next ones
 * and the host is left as found: mounts from the innermost out, then the
 * cgroup dirs, then the state root's new entries. */
static void clean_leaks(struct lines *mounts, struct lines *cgroups, struct lines *state)
{
    for (size_t i = mounts->n; i-- > 0;) {
        char mp[PATH_MAX];

        if (sscanf(mounts->v[i], "%*s %*s %*s %*s %4095s", mp) == 1) {
            unescape_octal(mp);
            umount2(mp, MNT_DETACH);
        }
    }
    for (size_t i = cgroups->n; i-- > 0;) {
        char procs[PATH_MAX + 16];
        char *pids;

        /* Processes left in a cgroup this test's run made: the test's. */
        snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgroups->v[i]);
        pids = read_text(procs);
        for (char *p = pids, *end; p && *p; p = end) {
            long pid = strtol(p, &end, 10);

            if (end == p)
                break;
            kill((pid_t)pid, SIGKILL);
        }
        free(pids);
        for (int tries = 0; tries < 50 && rmdir(cgroups->v[i]) < 0 && errno == EBUSY; tries++)
            usleep(100000);
    }
    for (size_t i = 0; i < state->n; i++) {
        char path[PATH_MAX * 2];

        snprintf(path, sizeof(path), "%s/%s", state_root, state->v[i]);
        rm_rf(path);
    }
    free(lines_join(mounts)), free(lines_join(cgroups)), free(lines_join(state));
}

int leak_teardown(void **state)
{
    struct snapshot *s = *state;
    struct lines leaked[3] = {{0}};
    int dropped;
    char *mounts;
    char *cgroups;
    char *st;
    int ret;

    end_started();
    dropped = drop_other_root();
    mounts = read_text("/proc/self/mountinfo");
    cgroups = snapshot_cgroups();
    st = snapshot_state();
    ret = dropped;
    ret |= compare("host mount table", s->mounts, mounts, &leaked[0]);
    ret |= compare("cgroup directories under mydocker/", s->cgroups, cgroups, &leaked[1]);
    ret |= compare("state root", s->state, st, &leaked[2]);
    clean_leaks(&leaked[0], &leaked[1], &leaked[2]);
    free(mounts), free(cgroups), free(st);
    free(s->mounts), free(s->cgroups), free(s->state), free(s);
    return ret;
}

/* ---- suites ------------------------------------------------------------ */

extern const struct itest namespace_tests[], cgroup_tests[], rootfs_tests[], overlay_tests[],
    volume_tests[], commit_tests[], security_tests[], robustness_tests[], readme_tests[],
    readme_names_tests[], script_tests[];
extern const size_t namespace_count, cgroup_count, rootfs_count, overlay_count, volume_count,
    commit_count, security_count, robustness_count, readme_count, readme_names_count, script_count;

static const struct {
    const struct itest *tests;
    const size_t *count;
} suites[] = {
    {namespace_tests, &namespace_count}, {cgroup_tests, &cgroup_count},
    {rootfs_tests, &rootfs_count},       {overlay_tests, &overlay_count},
    {volume_tests, &volume_count},       {commit_tests, &commit_count},
    {security_tests, &security_count},   {robustness_tests, &robustness_count},
    {readme_tests, &readme_count},       {readme_names_tests, &readme_names_count},
};

static char *cgroup_parents_before;

static int group_setup(void **state)
{
    (void)state;
    snprintf(state_root, sizeof(state_root), "/tmp/mydocker-itest.XXXXXX");
    if (!mkdtemp(state_root))
        return -1;
    setenv("MYDOCKER_ROOT", state_root, 1);
    if (chapter_has("chapter4-busybox") &&
        host_sh("mkdir -p '%s/images' && cp '%s' '%s/images/busybox.tar'", state_root, busybox_tar,
                state_root) != 0)
        return -1;
    return 0;
}

/* The parents <controller>/mydocker are kept by mydocker, as Docker keeps
 * its own; the suite removes those it caused, leaving the host as found. */
static void list_cgroup_parents(struct lines *l)
{
    struct lines mounts = {0};

    cgroup_mounts(&mounts);
    for (size_t i = 0; i < mounts.n; i++) {
        char path[PATH_MAX];

        snprintf(path, sizeof(path), "%s/mydocker", mounts.v[i]);
        if (path_exists(path))
            lines_add(l, path);
    }
    free(lines_join(&mounts));
}

static int group_teardown(void **state)
{
    struct lines now = {0};
    int ret = 0;

    (void)state;
    list_cgroup_parents(&now);
    for (size_t i = 0; i < now.n; i++) {
        char needle[PATH_MAX + 2];

        snprintf(needle, sizeof(needle), "%s\n", now.v[i]);
        if (!strstr(cgroup_parents_before, needle) && rmdir(now.v[i]) < 0) {
            fprintf(stderr, "harness: rmdir %s: %s\n", now.v[i], strerror(errno));
            ret = -1;
        }
    }
    free(lines_join(&now));
    if (rm_rf(state_root) < 0) {
        fprintf(stderr, "harness: could not remove %s\n", state_root);
        ret = -1;
    }
    return ret;
}

int main(int argc, char **argv)
{
    struct CMUnitTest tests[512];
    size_t n = 0;
    char name[128];
    char *chapter_dir;
    struct lines parents = {0};
    const char *only;
    bool new_only;

    if (argc != 4 || (chapter_index(argv[1]) < 0 && strcmp(argv[1], "scripts") != 0)) {
        fprintf(stderr, "usage: %s CHAPTER CHAPTER_DIR BUSYBOX_TAR\n", argv[0]);
        return 2;
    }
    chapter = argv[1];
    chapter_dir = realpath(argv[2], NULL);
    if (!chapter_dir) {
        fprintf(stderr, "itest: %s: %s\n", argv[2], strerror(errno));
        return 2;
    }
    snprintf(mydocker_bin, sizeof(mydocker_bin), "%s/mydocker", chapter_dir);
    snprintf(repo_dir, sizeof(repo_dir), "%s", chapter_dir);
    if (strcmp(chapter, "scripts") != 0)
        *strrchr(repo_dir, '/') = '\0';
    free(chapter_dir);
    /* Absolute: tests cd elsewhere. */
    if (argv[3][0] != '/' && getcwd(busybox_tar, sizeof(busybox_tar) / 2))
        snprintf(busybox_tar + strlen(busybox_tar), sizeof(busybox_tar) / 2, "/%s", argv[3]);
    else
        snprintf(busybox_tar, sizeof(busybox_tar), "%s", argv[3]);
    if (geteuid() != 0) {
        fprintf(stderr, "itest: integration tests need root: run sudo make test\n");
        return 1;
    }
    if (chapter_has("chapter4-busybox") && !path_exists(busybox_tar)) {
        fprintf(stderr, "itest: no busybox image at %s (scripts/busybox-image.sh makes it)\n",
                busybox_tar);
        return 1;
    }
    list_cgroup_parents(&parents);
    cgroup_parents_before = lines_join(&parents);
    signal(SIGPIPE, SIG_IGN);
    if (strcmp(chapter, "scripts") == 0) {
        /* The image script belongs to no chapter: run its tests once. */
        chapter = chapters[0];
        for (size_t i = 0; i < script_count; i++)
            tests[n++] = script_tests[i].test;
        return _cmocka_run_group_tests("scripts", tests, n, group_setup, group_teardown);
    }
    /* ITEST_ONLY=name runs the tests whose name holds it (while writing
     * one). ITEST_NEW_ONLY=1 runs only the tests of the features this
     * chapter brings (the VM matrix: there every test runs on its first
     * chapter and on the last one, which has them all). */
    only = getenv("ITEST_ONLY");
    new_only = getenv("ITEST_NEW_ONLY") && strcmp(getenv("ITEST_NEW_ONLY"), "1") == 0;
    for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
        for (size_t i = 0; i < *suites[s].count; i++) {
            const char *first = suites[s].tests[i].first;

            if (only && !strstr(suites[s].tests[i].test.name, only))
                continue;
            /* "=CHAPTER": a test of that chapter alone, not carried forward. */
            if (first[0] == '=' ? strcmp(chapter, first + 1) == 0
                : new_only      ? strcmp(chapter, first) == 0
                                : chapter_has(first))
                tests[n++] = suites[s].tests[i].test;
        }
    }
    snprintf(name, sizeof(name), "%s integration", chapter);
    return _cmocka_run_group_tests(name, tests, n, group_setup, group_teardown);
}
