/* Integration test harness: runs a chapter's real mydocker binary as root,
 * with its own MYDOCKER_ROOT, and checks after every test that the host's
 * mount table, the mydocker cgroups and the state root are as before. */
#ifndef HARNESS_H
#define HARNESS_H

#include <setjmp.h> /* cmocka needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <string.h>
#include <sys/types.h>

#define OUT_MAX (256 * 1024)

/* The chapters in order; a test runs on its first chapter and every later one. */
extern const char *const chapters[];
extern const char *chapter;     /* the chapter under test */
extern char mydocker_bin[4096]; /* absolute path of its binary */
extern char state_root[4096];   /* this suite's MYDOCKER_ROOT */
extern char busybox_tar[4096];  /* the image the suite copies in */
extern char repo_dir[4096];     /* the repository's top directory */

int chapter_index(const char *name);
/* True when the chapter under test has the capability of `first`. */
bool chapter_has(const char *first);

struct itest {
    const char *first; /* first chapter with the feature */
    struct CMUnitTest test;
};

/* A fresh, empty state root for one test, made from a mkdtemp template
 * (NULL: the default one); MYDOCKER_ROOT points to it until the test ends,
 * when leak_teardown points it back and removes the dir, unmounting what a
 * failed test may have left mounted on it. */
const char *use_other_root(const char *template);

int leak_setup(void **state);
int leak_teardown(void **state);
#define ITEST(first, fn)                                                                           \
    {                                                                                              \
        first, cmocka_unit_test_setup_teardown(fn, leak_setup, leak_teardown)                      \
    }

struct result {
    int status; /* exit status, or 128+N if killed by signal N */
    char out[OUT_MAX];
    char err[OUT_MAX];
};

/* Runs argv (NULL-terminated) with stdin from /dev/null, collecting output.
 * A command still running after timeout_s seconds is killed and the test
 * fails. Returns the exit status. */
extern struct result last_result; /* for tests that need one more */
int run_argv(struct result *r, char *const argv[], int timeout_s);
/* The same with `input` on a pipe as stdin. */
int run_argv_input(struct result *r, char *const argv[], const char *input, int timeout_s);
/* mydocker ARGS... with the suite's environment, e.g. md(&r, "run", "true", NULL). */
int md(struct result *r, ...);
int md_input(struct result *r, const char *input, ...);

/* A mydocker started in the background, for signals and commits. */
struct proc {
    pid_t pid;
    int out_fd;
    int err_fd;
    size_t out_len;
    size_t err_len;
    char out[OUT_MAX];
    char err[OUT_MAX];
};
void md_spawn(struct proc *p, ...);
/* Reads the process's stdout until it contains `text`; fails the test after timeout_s. */
void proc_wait_for(struct proc *p, const char *text, int timeout_s);
/* The same for its stderr. */
void proc_wait_for_err(struct proc *p, const char *text, int timeout_s);
/* Waits for it to exit and returns its status. */
int proc_finish(struct proc *p, int timeout_s);

/* The host pid of the container started by the mydocker process `pid`. */
pid_t container_pid(pid_t mydocker_pid);

/* Builds tests/integration/helpers/NAME.c statically into the image's
 * root (unpacking the image first), where the container sees it as /NAME.
 * Returns its host path (a static buffer) for the test to unlink. */
const char *install_helper(const char *name);

/* Helpers for checks. */
char *read_text(const char *path); /* malloc'd, NULL if absent */
bool path_exists(const char *path);
void write_text(const char *path, const char *text);
int rm_rf(const char *path); /* never crosses into another filesystem */
/* Runs a shell command on the host; returns its exit status. */
int host_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Fails with both outputs printed when the status differs. */
#define assert_status(r, expected)                                                                 \
    do {                                                                                           \
        if ((r)->status != (expected)) {                                                           \
            print_error("status %d, expected %d\nstdout:\n%s\nstderr:\n%s\n", (r)->status,         \
                        (expected), (r)->out, (r)->err);                                           \
            fail();                                                                                \
        }                                                                                          \
    } while (0)
#define assert_contains(haystack, needle)                                                          \
    do {                                                                                           \
        if (!strstr((haystack), (needle))) {                                                       \
            print_error("expected to find \"%s\" in:\n%s\n", (needle), (haystack));                \
            fail();                                                                                \
        }                                                                                          \
    } while (0)
#define assert_not_contains(haystack, needle)                                                      \
    do {                                                                                           \
        if (strstr((haystack), (needle))) {                                                        \
            print_error("did not expect \"%s\" in:\n%s\n", (needle), (haystack));                  \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

#endif
