/* Every chapter README's transcripts are true: each ```console block is run
 * against the chapter's binary and its output compared with the README's.
 *
 * The format, for README writers:
 *   - "$ CMD" lines are commands; the lines up to the next "$ " or the
 *     block's end are what CMD prints (stdout and stderr together, stdin
 *     from /dev/null). A command may leave a container running in the
 *     background ("... >/dev/null 2>&1 &") for the next ones to act on. Blocks fenced as ```sh or
 * ```text are not run.
 *   - Commands run one by one in a fresh state root that holds the busybox
 *     image, in a directory where ./mydocker is the chapter's binary, ./run
 *     is "mydocker run -ti", and scripts/ is the repo's. "sudo" is run as
 *     the command itself (the check runs as root). /var/lib/mydocker stands
 *     for the state root, in commands and in output.
 *   - In expected output, these match what changes from run to run:
 *     <id> twelve hex digits, <time> a log time (2026-11-23T14:01:02Z),
 *     <n> a number (maybe negative), <any> any text on that line; a
 *     line "..." matches any number of lines. Two or more spaces match
 *     any run of spaces: column
 *     widths differ between hosts (ps sizes its PID columns by pid_max,
 *     which grows with the number of CPUs).
 */
#include "harness.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define STATE_PLACEHOLDER "/var/lib/mydocker"

struct step {
    int line; /* of the command, in the README */
    char *command;
    char *expected; /* lines, each ending in \n */
};

static char *replace_all(const char *s, const char *from, const char *to)
{
    size_t n = 0;
    const char *p;
    char *out;
    char *o;

    for (p = s; (p = strstr(p, from)); p += strlen(from))
        n++;
    out = malloc(strlen(s) + n * strlen(to) + 1);
    assert_non_null(out);
    for (o = out; *s;) {
        if (strncmp(s, from, strlen(from)) == 0) {
            o = stpcpy(o, to);
            s += strlen(from);
        } else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return out;
}

/* One expected line as an anchored regular expression. */
static void line_regex(const char *line, regex_t *re)
{
    static const struct {
        const char *name;
        const char *regex;
    } holes[] = {{"<id>", "[0-9a-f]{12}"},
                 {"<time>", "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"},
                 {"<n>", "-?[0-9]+"},
                 {"<any>", ".*"}};
    char buf[16384];
    char *o = buf;

    *o++ = '^';
    while (*line && o < buf + sizeof(buf) - 64) {
        size_t h;

        for (h = 0; h < sizeof(holes) / sizeof(holes[0]); h++) {
            if (strncmp(line, holes[h].name, strlen(holes[h].name)) == 0)
                break;
        }
        if (h < sizeof(holes) / sizeof(holes[0])) {
            o = stpcpy(o, holes[h].regex);
            line += strlen(holes[h].name);
            continue;
        }
        if (line[0] == ' ' && line[1] == ' ') {
            o = stpcpy(o, " +");
            line += strspn(line, " ");
            continue;
        }
        if (strchr("\\^$.[]|()*+?{}", *line))
            *o++ = '\\';
        *o++ = *line++;
    }
    *o++ = '$';
    *o = '\0';
    assert_int_equal(regcomp(re, buf, REG_EXTENDED | REG_NOSUB), 0);
}

static char **split_lines(char *text, int *count)
{
    char **v = NULL;
    int n = 0;

    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');

        v = realloc(v, sizeof(*v) * (size_t)(n + 1));
        assert_non_null(v);
        v[n++] = p;
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    *count = n;
    return v;
}

/* Matches actual lines against expected ones; "..." takes any run. */
static bool match_from(char **exp, int ne, char **act, int na)
{
    regex_t re;
    bool ok;

    if (ne == 0)
        return na == 0;
    if (strcmp(exp[0], "...") == 0) {
        for (int skip = 0; skip <= na; skip++) {
            if (match_from(exp + 1, ne - 1, act + skip, na - skip))
                return true;
        }
        return false;
    }
    if (na == 0)
        return false;
    line_regex(exp[0], &re);
    ok = regexec(&re, act[0], 0, NULL, 0) == 0;
    regfree(&re);
    return ok && match_from(exp + 1, ne - 1, act + 1, na - 1);
}

static bool output_matches(const char *expected, const char *actual)
{
    char *e = strdup(expected);
    char *a = strdup(actual);
    int ne;
    int na;
    char **ev;
    char **av;
    bool ok;

    assert_non_null(e);
    assert_non_null(a);
    /* Both end in "\n": drop the empty piece after it. */
    if (*e && e[strlen(e) - 1] == '\n')
        e[strlen(e) - 1] = '\0';
    if (*a && a[strlen(a) - 1] == '\n')
        a[strlen(a) - 1] = '\0';
    ev = *e ? split_lines(e, &ne) : (ne = 0, NULL);
    av = *a ? split_lines(a, &na) : (na = 0, NULL);
    ok = match_from(ev, ne, av, na);
    free(ev), free(av), free(e), free(a);
    return ok;
}

static int parse_readme(const char *text, struct step *steps, int max)
{
    char *copy = strdup(text);
    bool in_console = false;
    int n = 0;
    int lineno = 0;
    char *save = NULL;

    assert_non_null(copy);
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        if (strncmp(line, "```", 3) == 0) {
            in_console = !in_console && strcmp(line, "```console") == 0;
            continue;
        }
        if (!in_console)
            continue;
        if (strncmp(line, "$ ", 2) == 0) {
            assert_true(n < max);
            steps[n].line = lineno;
            steps[n].command = strdup(line + 2);
            steps[n].expected = calloc(1, 1);
            n++;
        } else if (n > 0) {
            size_t len = strlen(steps[n - 1].expected);

            steps[n - 1].expected = realloc(steps[n - 1].expected, len + strlen(line) + 2);
            strcpy(steps[n - 1].expected + len, line);
            strcat(steps[n - 1].expected, "\n");
        }
    }
    free(copy);
    return n;
}

/* strtok_r skips empty lines; the README's empty output lines matter, so
 * number them back in. */
static char *keep_empty_lines(const char *text)
{
    return replace_all(text, "\n\n", "\n \n");
}

static void test_readme_transcripts(void **state)
{
    enum { MAX_STEPS = 200 };
    static struct step steps[MAX_STEPS];
    char path[4200];
    const char *work;
    char root[4300];
    char *raw;
    char *text;
    int n;
    int failures = 0;

    (void)state;
    snprintf(path, sizeof(path), "%s/%s/README.md", repo_dir, chapter);
    raw = read_text(path);
    assert_non_null(raw);
    text = keep_empty_lines(raw);
    free(raw);
    n = parse_readme(text, steps, MAX_STEPS);
    free(text);
    assert_true(n > 0); /* every chapter shows a transcript */

    /* Removed by the leak teardown, even when an assert stops us early. */
    work = use_other_root("/tmp/mydocker-readme.XXXXXX");
    snprintf(root, sizeof(root), "%s/state", work);
    assert_int_equal(
        /* chapter3 needs no image, and its own test run may not make one. */
        host_sh("set -e; cd '%s'; mkdir -p state/images; %s '%s' state/images/;"
                " ln -s '%s' mydocker; ln -s '%s/scripts' scripts;"
                " printf '#!/bin/sh\\nexec \"%s\" run -ti \"$@\"\\n' >run; chmod +x run",
                work, chapter_has("chapter4-busybox") ? "cp" : ": cp", busybox_tar, mydocker_bin,
                repo_dir, mydocker_bin),
        0);
    for (int i = 0; i < n; i++) {
        char *cmd = replace_all(steps[i].command, STATE_PLACEHOLDER, root);
        char *expected = replace_all(steps[i].expected, STATE_PLACEHOLDER, root);
        char *shell = NULL;
        char out_path[4300];
        char *output;
        char *argv[] = {"/bin/bash", "-c", NULL, NULL};

        /* Lines kept empty by keep_empty_lines hold one space: undo. */
        for (char *p = expected; (p = strstr(p, "\n \n")); p++)
            memmove(p + 1, p + 2, strlen(p + 2) + 1);
        if (strcmp(expected, " \n") == 0)
            expected[0] = '\0';
        assert_true(asprintf(&shell,
                             "cd '%s' && export MYDOCKER_ROOT='%s' && exec >out 2>&1 && sudo() { "
                             "\"$@\"; } && %s\n",
                             work, root, cmd) > 0);
        argv[2] = shell;
        /* Output goes to a file, not to a pipe: a command that leaves a
         * container running in the background must not hold the pipe the
         * harness waits on. */
        run_argv(&last_result, argv, 60);
        snprintf(out_path, sizeof(out_path), "%s/out", work);
        output = read_text(out_path);
        assert_non_null(output);
        snprintf(last_result.out, sizeof(last_result.out), "%s", output);
        free(output);
        if (!output_matches(expected, last_result.out)) {
            print_error("%s/README.md:%d: $ %s\n--- README says\n%s--- it prints\n%s", chapter,
                        steps[i].line, steps[i].command, expected, last_result.out);
            failures++;
        }
        free(shell), free(cmd), free(expected);
        free(steps[i].command), free(steps[i].expected);
    }
    /* Commands a README sent to the background must be done before the
     * leak check: wait for their containers to go. */
    host_sh("for i in $(seq 150); do [ -z \"$(ls -A '%s/containers' 2>/dev/null)\" ] && break;"
            " sleep 0.1; done",
            root);
    assert_int_equal(failures, 0);
}

const struct itest readme_tests[] = {
    ITEST("chapter3", test_readme_transcripts),
};
const size_t readme_count = sizeof(readme_tests) / sizeof(readme_tests[0]);
