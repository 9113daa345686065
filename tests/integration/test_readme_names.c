/* The chapter READMEs cannot drift from their code. test_readme.c runs the
 * ```console transcripts; these tests check the names the rest of a README
 * uses, each kind in a test of its own, against the chapter's .c and .h
 * files (its directory and subdirectories, comments left out):
 *   - functions: `name()` or `name(args)` is an identifier of the code, or
 *     a libc or kernel function: one with a man page in section 2 or 3, or
 *     a system call of the kernel headers;
 *   - files: `foo.c`, `foo.h`, `Makefile` are the chapter's files, and a
 *     path into the repository (`tests/...`, `scripts/...`) exists;
 *   - flags: a flag of a mydocker command line (mydocker, ./mydocker,
 *     ./run, in a fenced block or in backticks), a flag on its own in
 *     backticks, a flag of the "## Flags" help, is a row of a struct option
 *     table; the flags of other programs (sh -c, tar -x) are left alone;
 *   - log lines: a JSON log line or a "mydocker: ..." line in a fenced
 *     block is what a format string of the chapter prints, in the file
 *     its "source" names;
 *   - line numbers: a "source" has one only where make test checks it, in
 *     ```console blocks; elsewhere it is <n>, as lines move.
 * "chapter4-busybox's `untar()`" is looked up in chapter4-busybox. The
 * Labs sections ask for flags the code does not have yet: their flags are
 * not checked. Each problem is one line: the README line, the name, what
 * was not found. The tests read files only: no container, no leak check.
 */
#include "harness.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MAN_DIR /* -DMAN_DIR=... tries the check without man pages */
#define MAN_DIR "/usr/share/man"
#endif
#define MAX_TEXT 4096

/* realloc, or the test fails. */
static void *grow(void *p, size_t size)
{
    void *q = realloc(p, size);

    assert_non_null(q);
    return q;
}

/* A check's problems, printed in README order when it ends. */
struct problem {
    int line;
    char *text;
};
static struct problem *problems;
static size_t nproblems;

static void problem(int line, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(int line, const char *name, const char *fmt, ...)
{
    char what[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    problems = grow(problems, (nproblems + 1) * sizeof(*problems));
    problems[nproblems].line = line;
    assert_true(asprintf(&problems[nproblems].text, "%s/README.md:%d: %s: %s", chapter, line, name,
                         what) > 0);
    nproblems++;
}

static int cmp_problem(const void *a, const void *b)
{
    const struct problem *x = a;
    const struct problem *y = b;

    return x->line != y->line ? (x->line > y->line) - (x->line < y->line)
                              : strcmp(x->text, y->text);
}

/* One line per problem (print_error: cmocka would cut one long message). */
static void end_check(const char *what)
{
    size_t n = nproblems;

    if (n > 0)
        qsort(problems, n, sizeof(*problems), cmp_problem);
    for (size_t i = 0; i < n; i++) {
        print_error("%s\n", problems[i].text);
        free(problems[i].text);
    }
    free(problems);
    problems = NULL;
    nproblems = 0;
    if (n > 0)
        fail_msg("%s/README.md: %zu %s problem(s), one per line above", chapter, n, what);
}

/* ---- sorted lists of strings ------------------------------------------- */

struct strs {
    char **v;
    size_t n;
    size_t cap;
};

static void strs_add(struct strs *s, const char *p, size_t len)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->v = grow(s->v, s->cap * sizeof(*s->v));
    }
    s->v[s->n] = strndup(p, len);
    assert_non_null(s->v[s->n]);
    s->n++;
}

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* strs_has needs the list sorted. */
static void strs_sort(struct strs *s)
{
    if (s->n > 0)
        qsort(s->v, s->n, sizeof(*s->v), cmp_strp);
}

static bool strs_has(const struct strs *s, const char *p)
{
    return s->n > 0 && bsearch(&p, s->v, s->n, sizeof(*s->v), cmp_strp) != NULL;
}

static void strs_free(struct strs *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof(*s));
}

/* ---- the chapter's C sources, as tokens -------------------------------- */

enum tok_kind { T_IDENT, T_STRING, T_OTHER };

struct tok {
    enum tok_kind kind;
    const char *p; /* a string's body, without its quotes */
    size_t len;
};

struct toks {
    struct tok *v;
    size_t n;
    size_t cap;
};

static void toks_add(struct toks *t, enum tok_kind kind, const char *p, size_t len)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 1024;
        t->v = grow(t->v, t->cap * sizeof(*t->v));
    }
    t->v[t->n++] = (struct tok){kind, p, len};
}

/* The closing quote of the literal opening at p, or the text's end. */
static const char *literal_end(const char *p)
{
    char quote = *p++;

    while (*p && *p != quote && *p != '\n') {
        if (*p == '\\' && p[1])
            p++;
        p++;
    }
    return p;
}

/* Comments are skipped: a name that only a comment still mentions is gone
 * from the code. Numbers and punctuation are T_OTHER, one char each but
 * for a number's run of digits and letters. */
static void tokenize(const char *p, struct toks *t)
{
    while (*p) {
        const char *start = p;

        if (p[0] == '/' && p[1] == '/') {
            p += strcspn(p, "\n");
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");

            p = end ? end + 2 : p + strlen(p);
        } else if (*p == '"' || *p == '\'') {
            p = literal_end(p);
            if (*start == '"')
                toks_add(t, T_STRING, start + 1, (size_t)(p - start - 1));
            if (*p == '"' || *p == '\'')
                p++;
        } else if (isalpha((unsigned char)*p) || *p == '_') {
            while (isalnum((unsigned char)*p) || *p == '_')
                p++;
            toks_add(t, T_IDENT, start, (size_t)(p - start));
        } else if (isdigit((unsigned char)*p)) {
            while (isalnum((unsigned char)*p) || *p == '_' || *p == '.')
                p++;
            toks_add(t, T_OTHER, start, (size_t)(p - start));
        } else {
            if (!isspace((unsigned char)*p))
                toks_add(t, T_OTHER, p, 1);
            p++;
        }
    }
}

static bool tok_is(const struct tok *t, const char *s)
{
    return t->len == strlen(s) && strncmp(t->p, s, t->len) == 0;
}

/* Appends a C string literal's body to out, its escapes undone. */
static void c_unescape(const char *p, size_t len, char *out, size_t cap)
{
    size_t o = strlen(out);
    const char *end = p + len;

    while (p < end && o + 1 < cap) {
        char c = *p++;

        if (c == '\\' && p < end) {
            static const char from[] = "ntrabfv";
            static const char to[] = "\n\t\r\a\b\f\v";
            const char *hit = strchr(from, *p);

            if (hit)
                c = to[hit - from];
            else
                c = *p;
            p++;
        }
        out[o++] = c;
    }
    out[o] = '\0';
}

/* ---- formats: what the chapter can print ------------------------------- */

/* Who prints a format: JSON log lines come from log_*() alone, "mydocker:
 * " lines from err_*() and what fills their buffers (snprintf); the
 * chapter's own wrappers (die(), fail()) may be either. */
enum fmt_kind { F_LOG, F_ERR, F_OWN };

struct fmt {
    enum fmt_kind kind;
    char file[256];
    char *sample;   /* the format, each conversion made one \x01 */
    regex_t re;     /* the format, each conversion matching any text */
    regex_t re_err; /* the same, and then maybe ": <strerror>", as err_sys adds */
};

/* The length of the printf conversion at p (p[0] == '%'), 0 for none. */
static size_t conversion_len(const char *p)
{
    size_t i = 1;

    i += strspn(p + i, "-+ #0'");
    i += strspn(p + i, "0123456789*");
    if (p[i] == '.') {
        i++;
        i += strspn(p + i, "0123456789*");
    }
    i += strspn(p + i, "hlLqjzt");
    return p[i] && strchr("diouxXeEfFgGaAcspnm%", p[i]) ? i + 1 : 0;
}

static char *regex_quote(char *o, char c)
{
    if (strchr("\\^$.[]|()*+?{}", c))
        *o++ = '\\';
    *o++ = c;
    return o;
}

/* A format as an anchored ERE, and as a sample text. A format made only
 * of conversions and punctuation ("%s: %s") would vouch for any message:
 * such a format, one with no word of three letters, gives false. */
static bool fmt_compile(const char *text, struct fmt *f)
{
    size_t len = strlen(text);
    char *re = malloc(2 * len + 16);
    char *o = re;
    char *s;
    int word = 0;
    int longest = 0;

    f->sample = malloc(len + 1);
    assert_non_null(re);
    assert_non_null(f->sample);
    s = f->sample;
    *o++ = '^';
    for (const char *p = text; *p;) {
        size_t n = *p == '%' ? conversion_len(p) : 0;

        if (n > 0 && p[n - 1] != '%') {
            o = stpcpy(o, ".*");
            *s++ = '\x01';
            word = 0;
            p += n;
            continue;
        }
        word = isalpha((unsigned char)*p) ? word + 1 : 0;
        longest = word > longest ? word : longest;
        o = regex_quote(o, *p);
        *s++ = *p;
        p += n > 0 ? n : 1;
    }
    *s = '\0';
    memcpy(o, "$", 2);
    assert_int_equal(regcomp(&f->re, re, REG_EXTENDED | REG_NOSUB), 0);
    memcpy(o, "(: .*)?$", 9);
    assert_int_equal(regcomp(&f->re_err, re, REG_EXTENDED | REG_NOSUB), 0);
    free(re);
    return longest >= 3;
}

/* ---- the chapter ------------------------------------------------------- */

struct source {
    char name[256];
    char *text;
    struct toks toks;
};

struct chapter_src {
    char dir[4352];
    struct source *files;
    size_t nfiles;
    struct strs idents;    /* every identifier of the code */
    struct strs opts_arg;  /* option table entries with required_argument */
    struct strs opts_flag; /* and the others */
    struct strs fmt_funcs; /* functions whose argument is a printf format */
    struct fmt *fmts;
    size_t nfmts;
};

/* The tokens from the '(' at i to its ')': the index of the ')'. */
static size_t matching_paren(const struct toks *t, size_t i)
{
    int depth = 0;

    for (; i < t->n; i++) {
        if (t->v[i].kind != T_OTHER)
            continue;
        if (tok_is(&t->v[i], "("))
            depth++;
        else if (tok_is(&t->v[i], ")") && --depth == 0)
            return i;
    }
    return t->n;
}

/* Whether the parameters from i to the ')' at j declare a format: a
 * "const char *fmt" (or *format), or a "const char *NAME, ...)" last. */
static bool takes_format(const struct tok *v, size_t i, size_t j)
{
    for (size_t k = i; k + 2 < j; k++) {
        if (tok_is(&v[k], "char") && tok_is(&v[k + 1], "*") && v[k + 2].kind == T_IDENT &&
            (tok_is(&v[k + 2], "fmt") || tok_is(&v[k + 2], "format")))
            return true;
    }
    return j >= i + 7 && tok_is(&v[j - 1], ".") && tok_is(&v[j - 3], ".") &&
           tok_is(&v[j - 4], ",") && v[j - 5].kind == T_IDENT && tok_is(&v[j - 6], "*") &&
           tok_is(&v[j - 7], "char");
}

static const char *const log_funcs[] = {"log_debug", "log_info", "log_warn", "log_error",
                                        "log_write"};
static const char *const err_funcs[] = {"err_sys", "err_msg", "printf",   "fprintf",
                                        "dprintf", "sprintf", "snprintf", "asprintf"};

static enum fmt_kind fmt_kind_of(const char *func)
{
    for (size_t i = 0; i < sizeof(log_funcs) / sizeof(log_funcs[0]); i++) {
        if (strcmp(func, log_funcs[i]) == 0)
            return F_LOG;
    }
    for (size_t i = 0; i < sizeof(err_funcs) / sizeof(err_funcs[0]); i++) {
        if (strcmp(func, err_funcs[i]) == 0)
            return F_ERR;
    }
    return F_OWN;
}

/* The chapter's own wrappers take a format too (die(), a parser's fail()),
 * and a message they print is the format a caller passes them. */
static void find_fmt_funcs(const struct toks *t, struct strs *funcs)
{
    if (funcs->n == 0) {
        for (size_t i = 0; i < sizeof(log_funcs) / sizeof(log_funcs[0]); i++)
            strs_add(funcs, log_funcs[i], strlen(log_funcs[i]));
        for (size_t i = 0; i < sizeof(err_funcs) / sizeof(err_funcs[0]); i++)
            strs_add(funcs, err_funcs[i], strlen(err_funcs[i]));
    }
    for (size_t i = 0; i + 1 < t->n; i++) {
        size_t j;

        if (t->v[i].kind != T_IDENT || !tok_is(&t->v[i + 1], "("))
            continue;
        j = matching_paren(t, i + 1);
        if (j < t->n && takes_format(t->v, i + 2, j))
            strs_add(funcs, t->v[i].p, t->v[i].len);
    }
}

/* Every call of a format function: its first string argument (adjacent
 * literals joined, as the compiler does) is a format. */
static void find_fmts(struct chapter_src *cs, const struct source *src)
{
    const struct toks *t = &src->toks;

    for (size_t i = 0; i + 2 < t->n; i++) {
        char name[128];
        char text[MAX_TEXT] = "";
        size_t j = i + 2;
        size_t end;

        if (t->v[i].kind != T_IDENT || !tok_is(&t->v[i + 1], "(") || t->v[i].len >= sizeof(name))
            continue;
        snprintf(name, sizeof(name), "%.*s", (int)t->v[i].len, t->v[i].p);
        if (!strs_has(&cs->fmt_funcs, name))
            continue;
        end = matching_paren(t, i + 1);
        while (j < end && t->v[j].kind != T_STRING)
            j++;
        for (; j < end && t->v[j].kind == T_STRING; j++)
            c_unescape(t->v[j].p, t->v[j].len, text, sizeof(text));
        if (text[0] == '\0')
            continue;
        cs->fmts = grow(cs->fmts, (cs->nfmts + 1) * sizeof(*cs->fmts));
        snprintf(cs->fmts[cs->nfmts].file, sizeof(cs->fmts[0].file), "%s", src->name);
        cs->fmts[cs->nfmts].kind = fmt_kind_of(name);
        if (fmt_compile(text, &cs->fmts[cs->nfmts])) {
            cs->nfmts++;
        } else {
            regfree(&cs->fmts[cs->nfmts].re), regfree(&cs->fmts[cs->nfmts].re_err);
            free(cs->fmts[cs->nfmts].sample);
        }
    }
}

/* Rows of a struct option table: { "name", no_argument, ... }. */
static void find_options(struct chapter_src *cs, const struct toks *t)
{
    for (size_t i = 0; i + 3 < t->n; i++) {
        const struct tok *v = t->v + i;

        if (!tok_is(&v[0], "{") || v[1].kind != T_STRING || !tok_is(&v[2], ","))
            continue;
        if (tok_is(&v[3], "required_argument"))
            strs_add(&cs->opts_arg, v[1].p, v[1].len);
        else if (tok_is(&v[3], "no_argument") || tok_is(&v[3], "optional_argument"))
            strs_add(&cs->opts_flag, v[1].p, v[1].len);
    }
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s);
    size_t m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The .c and .h files of the chapter's directory (rel ""), and of its
 * subdirectories (chapter3/minimal/), named relative to it. */
static void load_files(struct chapter_src *cs, const char *rel)
{
    char dir[sizeof(cs->dir) + 256];
    DIR *d;
    const struct dirent *e;

    snprintf(dir, sizeof(dir), "%s%s%s", cs->dir, *rel ? "/" : "", rel);
    d = opendir(dir);
    if (!d) {
        fail_msg("%s: %s", dir, strerror(errno));
        return;
    }
    while ((e = readdir(d))) {
        char path[sizeof(dir) + 256];
        struct stat st;
        struct source *s;

        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (e->d_name[0] == '.' || stat(path, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode) && *rel == '\0')
            load_files(cs, e->d_name);
        if (!S_ISREG(st.st_mode) || (!has_suffix(e->d_name, ".c") && !has_suffix(e->d_name, ".h")))
            continue;
        cs->files = grow(cs->files, (cs->nfiles + 1) * sizeof(*cs->files));
        s = &cs->files[cs->nfiles++];
        memset(s, 0, sizeof(*s));
        snprintf(s->name, sizeof(s->name), "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        s->text = read_text(path);
        assert_non_null(s->text);
        tokenize(s->text, &s->toks);
    }
    closedir(d);
}

static void load_chapter(struct chapter_src *cs, const char *name)
{
    memset(cs, 0, sizeof(*cs));
    snprintf(cs->dir, sizeof(cs->dir), "%s/%s", repo_dir, name);
    load_files(cs, "");
    for (size_t f = 0; f < cs->nfiles; f++) {
        const struct toks *t = &cs->files[f].toks;

        for (size_t i = 0; i < t->n; i++) {
            if (t->v[i].kind == T_IDENT)
                strs_add(&cs->idents, t->v[i].p, t->v[i].len);
        }
        find_options(cs, t);
        find_fmt_funcs(t, &cs->fmt_funcs);
    }
    strs_sort(&cs->idents), strs_sort(&cs->opts_arg), strs_sort(&cs->opts_flag);
    strs_sort(&cs->fmt_funcs);
    for (size_t f = 0; f < cs->nfiles; f++)
        find_fmts(cs, &cs->files[f]);
}

/* A file of the chapter: `Makefile` in its directory, `minimal.c` in it or
 * a subdirectory. */
static bool chapter_file(const struct chapter_src *cs, const char *name)
{
    char path[sizeof(cs->dir) + 256];

    snprintf(path, sizeof(path), "%s/%s", cs->dir, name);
    if (path_exists(path))
        return true;
    for (size_t f = 0; f < cs->nfiles; f++) {
        const char *slash = strrchr(cs->files[f].name, '/');

        if (strcmp(slash ? slash + 1 : cs->files[f].name, name) == 0)
            return true;
    }
    return false;
}

static void free_chapter(struct chapter_src *cs)
{
    for (size_t f = 0; f < cs->nfiles; f++) {
        free(cs->files[f].text);
        free(cs->files[f].toks.v);
    }
    for (size_t i = 0; i < cs->nfmts; i++) {
        regfree(&cs->fmts[i].re), regfree(&cs->fmts[i].re_err);
        free(cs->fmts[i].sample);
    }
    free(cs->files), free(cs->fmts);
    strs_free(&cs->idents), strs_free(&cs->opts_arg), strs_free(&cs->opts_flag);
    strs_free(&cs->fmt_funcs);
}

/* ---- the README -------------------------------------------------------- */

struct span {
    int line; /* where its opening backtick is */
    int para; /* the paragraph's first line */
    char *text;
    const char *section;
    const char *owner; /* "chapter3" after "chapter3's ", else NULL */
};

struct readme {
    char *text;           /* its lines, each NUL-terminated */
    char **line;          /* line[i] is line i + 1 */
    const char **fence;   /* a fenced line's info string ("console", ""), else NULL */
    bool *checked;        /* a line of a ```console block test_readme.c runs */
    const char **section; /* the "## " heading it is under, "" before the first */
    int n;
    struct span *spans; /* the `code` spans outside fenced blocks */
    size_t nspans;
};

/* The chapter a span belongs to, when the text before it says so:
 * "chapter4-busybox's `make_temp_dir()`". */
static const char *span_owner(const char *para, const char *open)
{
    for (int i = 0; chapters[i]; i++) {
        size_t n = strlen(chapters[i]);

        if ((size_t)(open - para) >= n + 3 && strncmp(open - n - 3, chapters[i], n) == 0 &&
            strncmp(open - 3, "'s", 2) == 0 && isspace((unsigned char)open[-1]))
            return chapters[i];
    }
    return NULL;
}

static void add_span(struct readme *r, int line, int para, const char *owner, const char *p,
                     size_t len)
{
    char *s = strndup(p, len);

    assert_non_null(s);
    /* A span may run over lines; CommonMark strips one space each side. */
    for (char *c = s; *c; c++)
        if (*c == '\n')
            *c = ' ';
    if (len >= 2 && s[0] == ' ' && s[len - 1] == ' ' && strspn(s, " ") < len) {
        memmove(s, s + 1, len - 2);
        s[len - 2] = '\0';
    }
    r->spans = grow(r->spans, (r->nspans + 1) * sizeof(*r->spans));
    r->spans[r->nspans++] = (struct span){line, para, s, r->section[line - 1], owner};
}

/* The first run of exactly n backticks in p, or NULL. */
static const char *backtick_run(const char *p, size_t n)
{
    while ((p = strchr(p, '`'))) {
        size_t run = strspn(p, "`");

        if (run == n)
            return p;
        p += run;
    }
    return NULL;
}

/* The spans of the paragraph of lines first..last (1-based), joined with
 * newlines as Markdown reads them: a run of N backticks opens a span, the
 * next run of exactly N closes it. */
static void paragraph_spans(struct readme *r, int first, int last)
{
    size_t len = 0;
    char *text;
    char *o;
    int line = first;

    for (int l = first; l <= last; l++)
        len += strlen(r->line[l - 1]) + 1;
    text = malloc(len + 1);
    assert_non_null(text);
    o = text;
    for (int l = first; l <= last; l++) {
        o = stpcpy(o, r->line[l - 1]);
        *o++ = '\n';
    }
    *o = '\0';
    for (const char *p = text; *p;) {
        size_t run = strspn(p, "`");
        const char *close = run > 0 ? backtick_run(p + run, run) : NULL;

        if (run == 0 || !close) {
            size_t step = run > 0 ? run : (*p == '\\' && p[1] ? 2 : 1);

            for (size_t i = 0; i < step; i++)
                line += p[i] == '\n';
            p += step;
            continue;
        }
        add_span(r, line, first, span_owner(text, p), p + run, (size_t)(close - p - run));
        for (; p < close + run; p++)
            line += *p == '\n';
    }
    free(text);
}

/* The spans, paragraph by paragraph: a paragraph is a run of lines of
 * text, outside fenced blocks. */
static void find_spans(struct readme *r)
{
    int first = 0;

    for (int i = 0; i <= r->n; i++) {
        const char *t = i < r->n ? r->line[i] + strspn(r->line[i], " \t") : "";
        bool text = i < r->n && !r->fence[i] && *t != '\0' && strncmp(t, "```", 3) != 0;

        if (text && first == 0)
            first = i + 1;
        if (!text && first > 0) {
            paragraph_spans(r, first, i);
            first = 0;
        }
    }
}

/* A fence opens with ``` (indented too, in a list item) and closes with
 * the next line that starts with ```. test_readme.c runs only the blocks
 * whose opening line is exactly ```console. */
static void load_readme(struct readme *r)
{
    char path[4200];
    const char *info = NULL;
    bool checked = false;
    const char *section = "";

    memset(r, 0, sizeof(*r));
    snprintf(path, sizeof(path), "%s/%s/README.md", repo_dir, chapter);
    r->text = read_text(path);
    if (!r->text) {
        fail_msg("%s: cannot read it", path);
        return;
    }
    for (char *p = r->text; *p; p++)
        r->n += *p == '\n';
    r->n++;
    r->line = calloc((size_t)r->n, sizeof(*r->line));
    r->fence = calloc((size_t)r->n, sizeof(*r->fence));
    r->checked = calloc((size_t)r->n, sizeof(*r->checked));
    r->section = calloc((size_t)r->n, sizeof(*r->section));
    assert_true(r->line && r->fence && r->checked && r->section);
    for (int i = 0, at = 0; i < r->n; i++) {
        char *nl = strchr(r->text + at, '\n');
        const char *t;

        r->line[i] = r->text + at;
        if (nl)
            *nl = '\0';
        at += (int)strlen(r->line[i]) + 1;
        t = r->line[i] + strspn(r->line[i], " \t");
        if (strncmp(t, "```", 3) == 0) {
            checked = !info && strcmp(r->line[i], "```console") == 0;
            info = info ? NULL : t + 3;
            r->section[i] = section;
            continue;
        }
        if (!info && strncmp(r->line[i], "## ", 3) == 0)
            section = r->line[i] + 3;
        r->fence[i] = info;
        r->checked[i] = info && checked;
        r->section[i] = section;
    }
    find_spans(r);
}

static void free_readme(struct readme *r)
{
    for (size_t i = 0; i < r->nspans; i++)
        free(r->spans[i].text);
    free(r->spans), free(r->line), free(r->fence), free(r->checked), free(r->section);
    free(r->text);
}

/* ---- a. functions ------------------------------------------------------ */

/* man2/NAME.2.gz or man3/NAME.3.gz (or not compressed). */
static bool man_page(const char *name)
{
    for (int section = 2; section <= 3; section++) {
        char path[600];

        snprintf(path, sizeof(path), "%s/man%d/%s.%d.gz", MAN_DIR, section, name, section);
        if (path_exists(path))
            return true;
        path[strlen(path) - 3] = '\0';
        if (path_exists(path))
            return true;
    }
    return false;
}

/* The kernel's system calls, from the installed kernel headers' tables
 * (#define __NR_open_tree 428): new ones (open_tree, fsopen) have no man
 * page in every distribution's man-pages yet. The headers are there
 * wherever the tests can be built (linux-libc-dev comes with libc6-dev). */
static const struct strs *kernel_syscalls(void)
{
    static struct strs calls;
    static bool loaded;
    glob_t g;

    if (loaded)
        return &calls;
    loaded = true;
    memset(&g, 0, sizeof(g));
    glob("/usr/include/asm-generic/unistd.h", 0, NULL, &g);
    glob("/usr/include/*/asm/unistd*.h", GLOB_APPEND, NULL, &g);
    glob("/usr/include/asm/unistd*.h", GLOB_APPEND, NULL, &g);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char *text = read_text(g.gl_pathv[i]);

        for (const char *p = text; p && (p = strstr(p, "#define __NR_")); p++) {
            const char *name = p + strlen("#define __NR_");

            strs_add(&calls, name, strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_"));
        }
        free(text);
    }
    globfree(&g);
    strs_sort(&calls);
    return &calls;
}

/* `name()`, or a call `name(args)` whose parenthesis closes at the end,
 * but not a man page's name `clone(2)`: a function of the chapter or of
 * libc. */
static bool function_span(const char *s, char *name, size_t cap)
{
    size_t n = 0;
    size_t len = strlen(s);
    int depth = 0;
    const char *args;

    if (!isalpha((unsigned char)s[0]) && s[0] != '_')
        return false;
    while (isalnum((unsigned char)s[n]) || s[n] == '_')
        n++;
    if (s[n] != '(' || s[len - 1] != ')' || n >= cap)
        return false;
    for (size_t i = n; i < len; i++) {
        depth += s[i] == '(' ? 1 : s[i] == ')' ? -1 : 0;
        if (depth == 0 && i + 1 < len)
            return false;
    }
    args = s + n + 1;
    if (args[0] >= '1' && args[0] <= '9' &&
        strspn(args + 1, "abcdefghijklmnopqrstuvwxyz") == len - n - 3)
        return false;
    snprintf(name, cap, "%.*s", (int)n, s);
    return true;
}

/* The code has the function, or calls the system call: syscall(SYS_name). */
static bool code_has(const struct chapter_src *cs, const char *name)
{
    char sys[300];

    snprintf(sys, sizeof(sys), "SYS_%s", name);
    return strs_has(&cs->idents, name) || strs_has(&cs->idents, sys);
}

/* A name the chapter's code does not have is a libc or kernel function if
 * the man pages of sections 2 and 3 document it. Without those pages that
 * cannot be told: fail, saying what to install, rather than pass. */
static void test_readme_names_functions(void **state)
{
    struct readme r;
    struct chapter_src cs;

    (void)state;
    if (!man_page("clone") || !man_page("printf"))
        fail_msg("no man pages of sections 2 and 3 (%s/man2/clone.2.gz is missing): without them "
                 "a libc function cannot be told from a name a README got wrong. Install them: "
                 "apt-get install manpages-dev (if it is installed, a dpkg path-exclude of "
                 "/usr/share/man, as slim container images have, dropped them: see "
                 "/etc/dpkg/dpkg.cfg.d/)",
                 MAN_DIR);
    load_readme(&r);
    load_chapter(&cs, chapter);
    for (size_t i = 0; i < r.nspans; i++) {
        const struct span *s = &r.spans[i];
        const char *owner = s->owner ? s->owner : chapter;
        char name[256];
        bool found;

        if (!function_span(s->text, name, sizeof(name)))
            continue;
        if (strcmp(owner, chapter) == 0) {
            found = code_has(&cs, name);
        } else {
            struct chapter_src other;

            load_chapter(&other, owner);
            found = code_has(&other, name);
            free_chapter(&other);
        }
        if (!found && !man_page(name) && !strs_has(kernel_syscalls(), name))
            problem(s->line, s->text,
                    "no identifier %s in the code of %s, and no libc or kernel function of that "
                    "name (no man page in section 2 or 3, no system call)",
                    name, owner);
    }
    free_readme(&r);
    free_chapter(&cs);
    end_check("function name");
}

/* ---- b. files ---------------------------------------------------------- */

/* `foo.c`, `foo.h`, `Makefile`: a bare name, meaning the chapter's file. */
static bool file_span(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");

    return strcmp(s, "Makefile") == 0 ||
           (n == strlen(s) && n > 2 && s[0] != '.' && (has_suffix(s, ".c") || has_suffix(s, ".h")));
}

/* Whether the top .gitignore ignores the directory ("/build/" or
 * "build/"): build/ is made by the tests, no part of what a README may
 * point to. */
static bool ignored(const char *gitignore, const char *dir)
{
    size_t n = strlen(dir);

    for (const char *l = gitignore; l && *l; l += strcspn(l, "\n"), l += *l == '\n') {
        const char *p = l + (*l == '/');

        if (strncmp(p, dir, n) == 0 && p[n] == '/' && (p[n + 1] == '\n' || p[n + 1] == '\0'))
            return true;
    }
    return false;
}

/* A word of a span that is a path into the repository: relative, made of
 * path characters, and starting with a directory the repository has
 * (tests/, scripts/, a chapter). Other relative paths (images/NAME.tar,
 * the kernel's Documentation/...) are not the repository's. */
static bool repo_path(const char *w, const char *gitignore)
{
    char dir[256];
    char path[4400];
    struct stat st;
    size_t n = strcspn(w, "/");

    if (!strchr(w, '/') || n == 0 || n >= sizeof(dir) || w[0] == '.' || w[0] == '-' ||
        strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-/*<>") !=
            strlen(w))
        return false;
    snprintf(dir, sizeof(dir), "%.*s", (int)n, w);
    snprintf(path, sizeof(path), "%s/%s", repo_dir, dir);
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode) && !ignored(gitignore, dir);
}

/* The path, or the pattern it is with its placeholders (labN.sh, <ID>, a
 * run of capitals) read as *: tests/labs/chapter3/labN.sh is lab1.sh... */
static bool path_or_pattern_exists(const char *rel)
{
    char path[4400];
    char pattern[4400];
    char *o = pattern;
    glob_t g;
    bool found;

    memset(&g, 0, sizeof(g));
    snprintf(path, sizeof(path), "%s/%s", repo_dir, rel);
    if (path_exists(path))
        return true;
    o += snprintf(pattern, sizeof(pattern), "%s/", repo_dir);
    for (const char *p = rel; *p && o < pattern + sizeof(pattern) - 2;) {
        if (*p == '<' && strchr(p, '>')) {
            p = strchr(p, '>') + 1;
            *o++ = '*';
        } else if (isupper((unsigned char)*p)) {
            p += strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
            *o++ = '*';
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    found = glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0;
    globfree(&g);
    return found;
}

/* Whether the README gives elsewhere the path of a bare name that is no
 * file of the chapter: "Build `breakout.c`" and then, in the commands,
 * tests/integration/helpers/breakout.c. A chapter's file must be its own. */
static bool path_given(const struct readme *r, const char *name, const char *gitignore)
{
    char needle[300];

    snprintf(needle, sizeof(needle), "/%s", name);
    for (int i = 0; i < r->n; i++) {
        const char *line = r->line[i];

        for (const char *p = line; (p = strstr(p, needle)); p++) {
            const char *start = p;
            char path[600];
            char top[256];

            while (start > line && (isalnum((unsigned char)start[-1]) || strchr("_.-/", start[-1])))
                start--;
            snprintf(path, sizeof(path), "%.*s", (int)(p - start) + (int)strlen(needle), start);
            snprintf(top, sizeof(top), "%.*s", (int)strcspn(path, "/"), path);
            if (repo_path(path, gitignore) && chapter_index(top) < 0 &&
                path_or_pattern_exists(path))
                return true;
        }
    }
    return false;
}

static void test_readme_names_files(void **state)
{
    struct readme r;
    struct chapter_src cs;
    char gi_path[4200];
    char *gitignore;

    (void)state;
    load_readme(&r);
    load_chapter(&cs, chapter);
    snprintf(gi_path, sizeof(gi_path), "%s/.gitignore", repo_dir);
    gitignore = read_text(gi_path);
    for (size_t i = 0; i < r.nspans; i++) {
        const struct span *s = &r.spans[i];
        char *copy = strdup(s->text);
        char *save = NULL;

        assert_non_null(copy);
        if (file_span(s->text) && !s->owner) {
            if (!chapter_file(&cs, s->text) && !path_given(&r, s->text, gitignore))
                problem(s->line, s->text, "%s has no file %s", chapter, s->text);
        } else if (file_span(s->text)) {
            struct chapter_src other;

            load_chapter(&other, s->owner);
            if (!chapter_file(&other, s->text))
                problem(s->line, s->text, "%s has no file %s", s->owner, s->text);
            free_chapter(&other);
        }
        for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
            if (repo_path(w, gitignore) && !path_or_pattern_exists(w))
                problem(s->line, w, "the repository has no %s", w);
        }
        free(copy);
    }
    free(gitignore);
    free_readme(&r);
    free_chapter(&cs);
    end_check("file name");
}

/* ---- c. flags ---------------------------------------------------------- */

struct word {
    char text[256];
    bool starts_command;
};

enum { MAX_WORDS = 256 };

/* A line of shell as words. Quotes, backticks, ;, &, |, ( and ) end a word
 * and start a command (sh -c '...' holds one); blanks, < and > only end
 * one. Rough, and enough to tell whose flag a word is. */
static size_t shell_words(const char *s, struct word *w, size_t max)
{
    static const char ends[] = " \t<>'\"`;&|()";
    size_t n = 0;
    bool start = true;

    while (*s && n < max) {
        size_t len = strcspn(s, ends);

        if (len == 0) {
            start = start || strchr("'\"`;&|()", *s);
            s++;
            continue;
        }
        snprintf(w[n].text, sizeof(w[n].text), "%.*s", (int)len, s);
        w[n++].starts_command = start;
        start = false;
        s += len;
    }
    return n;
}

/* "-m", "--memory=1g": a flag, named "m", "memory"; a lower-case letter
 * follows the dashes (not -9, not -TERM). */
static bool flag_word(const char *w, char *name, size_t cap)
{
    const char *p = w + (w[0] == '-') + (w[0] == '-' && w[1] == '-');

    if (w[0] != '-' || !islower((unsigned char)*p))
        return false;
    snprintf(name, cap, "%.*s", (int)strcspn(p, "=,"), p);
    return true;
}

static bool is_option(const struct chapter_src *cs, const char *name)
{
    return strs_has(&cs->opts_arg, name) || strs_has(&cs->opts_flag, name);
}

static void unknown_flag(const struct chapter_src *cs, int line, const char *word, const char *name)
{
    problem(line, word,
            "not a flag of mydocker: no {\"%s\", ...} row in a struct option table of %s/*.c", name,
            cs->dir + strlen(repo_dir) + 1);
}

/* mydocker's flags from word i on, as getopt_long_only with "+" reads
 * them: flags (and the values of those with required_argument), at most
 * one other word (the subcommand; ./run has it already), then the
 * container's command. Returns the index of that command. */
static size_t mydocker_flags(const struct word *w, size_t n, size_t i, bool sub,
                             const struct chapter_src *cs, int line, bool report)
{
    char name[256];

    for (; i < n; i++) {
        if (strcmp(w[i].text, "--") == 0)
            return i + 1;
        if (!flag_word(w[i].text, name, sizeof(name))) {
            if (sub)
                return i;
            sub = true;
            continue;
        }
        if (!is_option(cs, name)) {
            if (report)
                unknown_flag(cs, line, w[i].text, name);
            return i + 1;
        }
        if (strs_has(&cs->opts_arg, name) && !strchr(w[i].text, '='))
            i++;
    }
    return i;
}

/* Checks the flags of each mydocker command in the text (mydocker,
 * ./mydocker, ./run, wherever in the line: after sudo, env, sh -c '...'),
 * and adds to foreign the flags of the line's other programs (sh -c,
 * tar -x), which a flag on its own in backticks may be too. */
static void scan_commands(const char *text, int line, bool report, const struct chapter_src *cs,
                          struct strs *foreign)
{
    static struct word w[MAX_WORDS];
    size_t n = shell_words(text, w, MAX_WORDS);
    const char *cmd = NULL;
    char name[256];

    for (size_t i = 0; i < n;) {
        const char *t = w[i].text;
        bool run = strcmp(t, "./run") == 0;

        if (run || strcmp(t, "mydocker") == 0 || has_suffix(t, "/mydocker")) {
            i = mydocker_flags(w, n, i + 1, run, cs, line, report);
            cmd = i < n ? w[i++].text : NULL;
            continue;
        }
        if (w[i].starts_command)
            cmd = t;
        else if (cmd && cmd[0] != '-' && flag_word(t, name, sizeof(name)))
            strs_add(foreign, t, strcspn(t, "=,"));
        i++;
    }
}

/* A line of the "## Flags" section's help text: "  -h, -help  show this". */
static void check_flags_table_line(const char *text, int line, const struct chapter_src *cs)
{
    struct word w[2];
    size_t n = shell_words(text, w, 2);
    char name[256];

    if (text[strspn(text, " \t")] != '-')
        return;
    for (size_t i = 0; i < n && flag_word(w[i].text, name, sizeof(name)); i++) {
        if (!is_option(cs, name))
            unknown_flag(cs, line, w[i].text, name);
        if (!has_suffix(w[i].text, ","))
            break;
    }
}

/* A span that starts with a flag of one dash: `-m 100m`, `-cpus`. */
static bool standalone_flag(const char *s, char *word, size_t cap)
{
    char name[256];

    snprintf(word, cap, "%.*s", (int)strcspn(s, " ="), s);
    return s[0] == '-' && s[1] != '-' && flag_word(word, name, sizeof(name));
}

/* A lab asks the reader to add a flag: the code does not have it yet. */
static bool in_labs(const char *section)
{
    return strncmp(section, "Labs", 4) == 0;
}

/* Every fenced line but a diagram's, a line ending in \ joined with the
 * next, is scanned for commands; line i is returned past what it joined. */
static int scan_fenced_line(const struct readme *r, int i, const struct chapter_src *cs,
                            struct strs *foreign)
{
    char buf[MAX_TEXT] = "";
    int first = i;

    for (;; i++) {
        size_t len;

        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s", r->line[i]);
        len = strlen(buf);
        if (len == 0 || buf[len - 1] != '\\' || i + 1 >= r->n || !r->fence[i + 1])
            break;
        buf[len - 1] = ' ';
    }
    scan_commands(buf, first + 1, !in_labs(r->section[first]), cs, foreign);
    if (strcmp(r->section[first], "Flags") == 0)
        check_flags_table_line(r->line[first], first + 1, cs);
    return i;
}

static bool on_path(const char *name)
{
    const char *path = getenv("PATH");

    for (const char *p = path; p && *p; p += strcspn(p, ":"), p += *p == ':') {
        size_t n = strcspn(p, ":");
        char file[4400];

        snprintf(file, sizeof(file), "%.*s/%s", (int)n, p, name);
        if (n > 0 && access(file, X_OK) == 0)
            return true;
    }
    return false;
}

/* Whether the span before span i, in its paragraph and at most a line
 * above, starts with a program of the host: "runs the `mount` command
 * with `-t aufs`", "(`tar --append`, `-r`)" name mount's and tar's flags. */
static bool follows_program(const struct readme *r, size_t i)
{
    const struct span *prev = i > 0 ? &r->spans[i - 1] : NULL;
    char program[256];

    if (!prev || prev->para != r->spans[i].para || prev->line < r->spans[i].line - 1 ||
        strstr(prev->text, "mydocker") || strstr(prev->text, "./run"))
        return false;
    snprintf(program, sizeof(program), "%.*s", (int)strcspn(prev->text, " "), prev->text);
    return program[0] != '\0' && !strchr(program, '/') && on_path(program);
}

static void test_readme_names_flags(void **state)
{
    struct readme r;
    struct chapter_src cs;
    struct strs foreign = {0};
    char word[256];
    char name[256];

    (void)state;
    load_readme(&r);
    load_chapter(&cs, chapter);
    if (cs.opts_arg.n + cs.opts_flag.n == 0)
        fail_msg("%s/*.c has no struct option table ({\"name\", no_argument, ...} rows): "
                 "the flags a README names cannot be checked",
                 chapter);
    for (int i = 0; i < r.n; i++) {
        if (r.fence[i] && strcmp(r.fence[i], "mermaid") != 0)
            i = scan_fenced_line(&r, i, &cs, &foreign);
    }
    for (size_t i = 0; i < r.nspans; i++) {
        if (!standalone_flag(r.spans[i].text, word, sizeof(word)))
            scan_commands(r.spans[i].text, r.spans[i].line, !in_labs(r.spans[i].section), &cs,
                          &foreign);
    }
    strs_sort(&foreign);
    for (size_t i = 0; i < r.nspans; i++) {
        const struct span *s = &r.spans[i];

        if (standalone_flag(s->text, word, sizeof(word)) && !in_labs(s->section) &&
            flag_word(word, name, sizeof(name)) && !is_option(&cs, name) &&
            !strs_has(&foreign, word) && !follows_program(&r, i))
            unknown_flag(&cs, s->line, word, name);
    }
    strs_free(&foreign);
    free_readme(&r);
    free_chapter(&cs);
    end_check("flag");
}

/* ---- d. log lines ------------------------------------------------------ */

/* Appends the UTF-8 of code point c. */
static size_t put_utf8(char *o, unsigned c)
{
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xc0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3f));
        return 2;
    }
    o[0] = (char)(0xe0 | (c >> 12));
    o[1] = (char)(0x80 | ((c >> 6) & 0x3f));
    o[2] = (char)(0x80 | (c & 0x3f));
    return 3;
}

/* The value of "key":"..." in a JSON line, its escapes undone; false if
 * the line has no such string. */
static bool json_field(const char *line, const char *key, char *out, size_t cap)
{
    char pat[64];
    const char *p;
    size_t o = 0;

    snprintf(pat, sizeof(pat), "\"%s\":\"", key);
    p = strstr(line, pat);
    if (!p)
        return false;
    for (p += strlen(pat); *p && *p != '"' && o + 4 < cap; p++) {
        unsigned code;

        if (*p != '\\' || !p[1]) {
            out[o++] = *p;
            continue;
        }
        p++;
        if (*p == 'u' && sscanf(p + 1, "%4x", &code) == 1) {
            o += put_utf8(out + o, code);
            p += 4;
            continue;
        }
        if (*p == 'n')
            out[o++] = '\n';
        else if (*p == 't')
            out[o++] = '\t';
        else
            out[o++] = *p;
    }
    out[o] = '\0';
    return *p == '"';
}

/* A message as the README writes it, as an ERE: its placeholders (<id>,
 * <n>, <any>, <ID>) match any text, so that it matches a format's sample
 * when an <any> stands for more than a conversion. */
static bool placeholder_regex(const char *text, regex_t *re)
{
    char buf[2 * MAX_TEXT + 8];
    char *o = buf;
    bool any = false;

    *o++ = '^';
    for (const char *p = text; *p && o < buf + sizeof(buf) - 8;) {
        size_t n =
            *p == '<' ? strspn(p + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") : 0;

        if (n > 0 && p[n + 1] == '>') {
            o = stpcpy(o, ".*");
            p += n + 2;
            any = true;
            continue;
        }
        o = regex_quote(o, *p++);
    }
    memcpy(o, "$", 2);
    return any && regcomp(re, buf, REG_EXTENDED | REG_NOSUB) == 0;
}

/* Which formats print text: *any is set if one does, *in_file if one in
 * file does (file NULL: no file named). err: a "mydocker: " line, which
 * may end in ": <strerror>". */
static void find_producer(const struct chapter_src *cs, const char *text, const char *file,
                          bool err, bool *any, bool *in_file)
{
    regex_t readme_re;
    bool placeholders = placeholder_regex(text, &readme_re);

    *any = *in_file = false;
    for (size_t i = 0; i < cs->nfmts; i++) {
        const struct fmt *f = &cs->fmts[i];

        if (f->kind == (err ? F_LOG : F_ERR))
            continue;
        if (regexec(err ? &f->re_err : &f->re, text, 0, NULL, 0) != 0 &&
            !(placeholders && regexec(&readme_re, f->sample, 0, NULL, 0) == 0))
            continue;
        *any = true;
        *in_file = *in_file || (file && strcmp(f->file, file) == 0);
    }
    if (placeholders)
        regfree(&readme_re);
}

/* {"level":...,"msg":"...","source":"run.c:NN",...}: a format of the file
 * it names prints the msg. */
static void check_log_line(const struct chapter_src *cs, const char *line, int lineno)
{
    char msg[MAX_TEXT];
    char source[256];
    char path[4700];
    bool any;
    bool in_file;

    if (!strstr(line, "{\"level\":\"") || !json_field(line, "msg", msg, sizeof(msg)) ||
        !json_field(line, "source", source, sizeof(source)))
        return;
    source[strcspn(source, ":")] = '\0';
    snprintf(path, sizeof(path), "%s/%s", cs->dir, source);
    if (strchr(source, '/') || !path_exists(path)) {
        problem(lineno, source, "the log line's source file: %s has no such file", chapter);
        return;
    }
    find_producer(cs, msg, source, false, &any, &in_file);
    if (!any)
        problem(lineno, msg, "no format string in %s/*.c prints this log msg", chapter);
    else if (!in_file)
        problem(lineno, msg, "this log msg is printed from %s/*.c, but not from %s, its source",
                chapter, source);
}

/* "mydocker: exec sh: No such file or directory": a format prints the
 * text, maybe with err_sys's ": <strerror>" after it. */
static void check_error_line(const struct chapter_src *cs, const char *line, int lineno)
{
    const char *text = line + strspn(line, " \t");
    bool any;
    bool in_file;

    if (strncmp(text, "mydocker: ", 10) != 0)
        return;
    text += 10;
    find_producer(cs, text, NULL, true, &any, &in_file);
    if (!any)
        problem(lineno, line, "no format string in %s/*.c prints this message", chapter);
}

static void test_readme_names_log_lines(void **state)
{
    struct readme r;
    struct chapter_src cs;

    (void)state;
    load_readme(&r);
    load_chapter(&cs, chapter);
    for (int i = 0; i < r.n; i++) {
        if (!r.fence[i] || strcmp(r.fence[i], "mermaid") == 0)
            continue;
        check_log_line(&cs, r.line[i], i + 1);
        check_error_line(&cs, r.line[i], i + 1);
    }
    free_readme(&r);
    free_chapter(&cs);
    end_check("log line");
}

/* ---- e. line numbers --------------------------------------------------- */

/* Lines move with every edit: a "source" with a line number is true only
 * where make test checks it, and a ```console block may say <n>. */
static void test_readme_names_line_numbers(void **state)
{
    struct readme r;

    (void)state;
    load_readme(&r);
    for (int i = 0; i < r.n; i++) {
        const char *p = r.fence[i] && !r.checked[i] ? r.line[i] : NULL;

        while (p && (p = strstr(p, "\"source\":\""))) {
            const char *colon;

            p += strlen("\"source\":\"");
            colon = p + strcspn(p, ":\"");
            if (*colon == ':' && isdigit((unsigned char)colon[1]) &&
                colon[1 + strspn(colon + 1, "0123456789")] == '"') {
                char name[256];

                snprintf(name, sizeof(name), "%.*s", (int)strcspn(p, "\""), p);
                problem(i + 1, name,
                        "a line number outside a ```console block, which make test does not "
                        "check: write %.*s:<n>",
                        (int)(colon - p), p);
            }
        }
    }
    free_readme(&r);
    end_check("line number");
}

/* These tests read files only: no leak check, which would only see (and
 * undo) what other runs on the host do meanwhile. */
#define NTEST(fn)                                                                                  \
    {                                                                                              \
        "chapter3", cmocka_unit_test(fn)                                                           \
    }

const struct itest readme_names_tests[] = {
    NTEST(test_readme_names_functions),    NTEST(test_readme_names_files),
    NTEST(test_readme_names_flags),        NTEST(test_readme_names_log_lines),
    NTEST(test_readme_names_line_numbers),
};
const size_t readme_names_count = sizeof(readme_names_tests) / sizeof(readme_names_tests[0]);
