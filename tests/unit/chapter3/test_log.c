/* Unit tests for chapter3's logging: json_escape (json.c), log_parse_level,
 * log_write's JSON line, err_sys/err_msg and fmt_path. */
#undef main /* this file's main is the test runner */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "json.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- capturing stderr -------------------------------------------------- */

struct capture {
    int saved;
    int file;
};

static void capture_start(struct capture *c)
{
    char path[] = "/tmp/mydocker-ut-log-XXXXXX";

    fflush(stderr);
    c->file = mkstemp(path);
    assert_true(c->file >= 0);
    unlink(path);
    c->saved = dup(STDERR_FILENO);
    assert_true(c->saved >= 0);
    assert_true(dup2(c->file, STDERR_FILENO) >= 0);
}

/* Restores stderr and returns how many bytes were written to it. */
static size_t capture_end(struct capture *c, char *buf, size_t len)
{
    ssize_t n;

    fflush(stderr);
    dup2(c->saved, STDERR_FILENO);
    close(c->saved);
    n = pread(c->file, buf, len - 1, 0);
    close(c->file);
    if (n < 0)
        n = 0;
    buf[n] = '\0';
    return (size_t)n;
}

/* ---- json_escape --------------------------------------------------- */

/* Escapes src with plenty of room and checks both text and return value. */
static void check_escape(const char *src, const char *want)
{
    char out[256];

    memset(out, 'Z', sizeof(out));
    assert_int_equal(json_escape(out, sizeof(out), src), strlen(want));
    assert_string_equal(out, want);
}

static void test_escape_plain(void **state)
{
    (void)state;
    check_escape("", "");
    check_escape("hello, world", "hello, world");
    check_escape("/sys/fs/cgroup/memory/mydocker/0123456789ab",
                 "/sys/fs/cgroup/memory/mydocker/0123456789ab");
    check_escape(" ~!@#$%^&*()_+{}|:<>?`-=[];',./", " ~!@#$%^&*()_+{}|:<>?`-=[];',./");
}

static void test_escape_quote_backslash(void **state)
{
    (void)state;
    check_escape("\"", "\\\"");
    check_escape("\\", "\\\\");
    check_escape("a\"b\\c", "a\\\"b\\\\c");
    check_escape("\\\"", "\\\\\\\"");
    check_escape("/", "/"); /* JSON allows a bare solidus */
}

static void test_escape_whitespace_controls(void **state)
{
    (void)state;
    check_escape("\n", "\\n");
    check_escape("\t", "\\t");
    check_escape("\r", "\\r");
    check_escape("a\nb\tc\rd", "a\\nb\\tc\\rd");
}

static void test_escape_other_controls(void **state)
{
    (void)state;
    check_escape("\x01", "\\u0001");
    check_escape("\x08", "\\u0008"); /* no \b shortcut: \u form */
    check_escape("\x0c", "\\u000c"); /* no \f shortcut either */
    check_escape("\x1b[0m", "\\u001b[0m");
    check_escape("\x1f", "\\u001f");
    check_escape("\x7f", "\\u007f");
    check_escape("a\x02"
                 "b",
                 "a\\u0002b");
    check_escape("\x20", " "); /* space is the first printable */
}

static void test_escape_valid_utf8_kept(void **state)
{
    (void)state;
    check_escape("\xc3\xa9", "\xc3\xa9");                 /* U+00E9 e acute */
    check_escape("\xc2\x80", "\xc2\x80");                 /* U+0080, smallest 2-byte */
    check_escape("\xdf\xbf", "\xdf\xbf");                 /* U+07FF */
    check_escape("\xe0\xa0\x80", "\xe0\xa0\x80");         /* U+0800, smallest 3-byte */
    check_escape("\xe2\x82\xac", "\xe2\x82\xac");         /* U+20AC euro */
    check_escape("\xed\x9f\xbf", "\xed\x9f\xbf");         /* U+D7FF, just below surrogates */
    check_escape("\xee\x80\x80", "\xee\x80\x80");         /* U+E000, just above them */
    check_escape("\xef\xbf\xbf", "\xef\xbf\xbf");         /* U+FFFF */
    check_escape("\xf0\x90\x80\x80", "\xf0\x90\x80\x80"); /* U+10000, smallest 4-byte */
    check_escape("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"); /* U+1F600 emoji */
    check_escape("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"); /* U+10FFFF, the last */
    check_escape("caf\xc3\xa9 \"\xe2\x82\xac\"", "caf\xc3\xa9 \\\"\xe2\x82\xac\\\"");
}

#define FFFD "\\ufffd"

static void test_escape_invalid_utf8(void **state)
{
    (void)state;
    /* Stray continuation bytes and bytes that never start a sequence. */
    check_escape("\x80", FFFD);
    check_escape("\xbf", FFFD);
    check_escape("\xff", FFFD);
    check_escape("\xfe", FFFD);
    check_escape("\xf8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD); /* old 5-byte form */
    /* A lead byte whose sequence is cut short: only the lead is replaced. */
    check_escape("\xc3"
                 "A",
                 FFFD "A");
    check_escape("\xe2\x82"
                 "A",
                 FFFD FFFD "A");
    check_escape("x\xe2\x82", "x" FFFD FFFD); /* cut by the end of the string */
    check_escape("\xf0\x9f\x98", FFFD FFFD FFFD);
    /* Overlong forms. */
    check_escape("\xc0\xaf", FFFD FFFD);
    check_escape("\xc1\xbf", FFFD FFFD);
    check_escape("\xc0\x80", FFFD FFFD); /* "modified UTF-8" NUL */
    check_escape("\xe0\x80\xaf", FFFD FFFD FFFD);
    check_escape("\xe0\x9f\xbf", FFFD FFFD FFFD);
    check_escape("\xf0\x80\x80\xaf", FFFD FFFD FFFD FFFD);
    check_escape("\xf0\x8f\xbf\xbf", FFFD FFFD FFFD FFFD);
    /* UTF-16 surrogates. */
    check_escape("\xed\xa0\x80", FFFD FFFD FFFD);
    check_escape("\xed\xbf\xbf", FFFD FFFD FFFD);
    /* Above U+10FFFF. */
    check_escape("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);
    check_escape("\xf5\x80\x80\x80", FFFD FFFD FFFD FFFD);
    /* Valid text around an invalid byte survives. */
    check_escape("ok\xffok\xc3\xa9", "ok" FFFD "ok\xc3\xa9");
}

static void test_escape_truncation(void **state)
{
    char out[16];

    (void)state;
    /* a"b"c needs a\"b\"c: 7 bytes. cap 5 holds 4 and the NUL. */
    memset(out, 'Z', sizeof(out));
    assert_int_equal(json_escape(out, 5, "a\"b\"c"), 7);
    assert_string_equal(out, "a\\\"b");
    assert_int_equal(out[5], 'Z'); /* nothing past cap */

    /* Exactly enough room. */
    memset(out, 'Z', sizeof(out));
    assert_int_equal(json_escape(out, 8, "a\"b\"c"), 7);
    assert_string_equal(out, "a\\\"b\\\"c");

    /* One short: the last byte gives way to the NUL. */
    memset(out, 'Z', sizeof(out));
    assert_int_equal(json_escape(out, 7, "a\"b\"c"), 7);
    assert_string_equal(out, "a\\\"b\\\"");

    /* cap 1: only the NUL. */
    memset(out, 'Z', sizeof(out));
    assert_int_equal(json_escape(out, 1, "\x01\x02"), 12);
    assert_int_equal(out[0], '\0');
    assert_int_equal(out[1], 'Z');

    /* cap 0: dst untouched, as snprintf; NULL is then allowed too. */
    memset(out, 'Z', sizeof(out));
    assert_int_equal(json_escape(out, 0, "abc"), 3);
    assert_int_equal(out[0], 'Z');
    assert_int_equal(json_escape(NULL, 0, "\xff\n"), 8);

    /* The returned length counts every byte of long escapes, and an escape
     * that does not fit whole is left out whole: half of one is not JSON. */
    memset(out, 'Z', sizeof(out));
    assert_int_equal(json_escape(out, 4, "\x01"), 6);
    assert_string_equal(out, "");
    assert_int_equal(json_escape(out, 9,
                                 "ab\x01"
                                 "c"),
                     9);
    assert_string_equal(out, "ab\\u0001");
}

/* ---- log_parse_level --------------------------------------------------- */

static void test_parse_level(void **state)
{
    static const struct {
        const char *name;
        enum log_level level;
    } good[] = {
        {"debug", LOG_DEBUG},
        {"info", LOG_INFO},
        {"warn", LOG_WARN},
        {"error", LOG_ERROR},
    };
    static const char *const bad[] = {"",      "INFO", "Debug", "warning", "inf",
                                      "info ", "err",  "fatal", "trace",   "0"};
    enum log_level level;

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        level = (enum log_level) - 1;
        assert_int_equal(log_parse_level(good[i].name, &level), 0);
        assert_int_equal(level, good[i].level);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        level = LOG_WARN;
        assert_int_equal(log_parse_level(bad[i], &level), -1);
        assert_int_equal(level, LOG_WARN); /* untouched on failure */
    }
}

/* ---- log_write --------------------------------------------------------- */

static int reset_level(void **state)
{
    (void)state;
    log_set_level(LOG_INFO);
    return 0;
}

/* Checks a whole captured line: its shape, the exact level, message and
 * source, and a timestamp between before and after. */
static void check_line(const char *got, const char *level, const char *msg_json, const char *source,
                       time_t before, time_t after)
{
    static const char shape[] =
        "^\\{\"level\":\"[a-z]+\",\"msg\":\".*\",\"source\":\"[^\"/]+:[0-9]+\","
        "\"time\":\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\"\\}\n$";
    char want_head[4096];
    const char *stamp;
    struct tm tm = {0};
    regex_t re;
    time_t t;

    assert_int_equal(regcomp(&re, shape, REG_EXTENDED | REG_NOSUB), 0);
    assert_int_equal(regexec(&re, got, 0, NULL, 0), 0);
    regfree(&re);

    snprintf(want_head, sizeof(want_head),
             "{\"level\":\"%s\",\"msg\":\"%s\",\"source\":\"%s\",\"time\":\"", level, msg_json,
             source);
    assert_true(strncmp(got, want_head, strlen(want_head)) == 0);

    stamp = got + strlen(want_head);
    assert_int_equal(strlen(stamp), strlen("2024-01-02T03:04:05Z\"}\n"));
    assert_int_equal(sscanf(stamp, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                            &tm.tm_hour, &tm.tm_min, &tm.tm_sec),
                     6);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    t = timegm(&tm);
    assert_in_range(t, before, after); /* UTC, and now */
}

static void test_write_info_line(void **state)
{
    struct capture c;
    char got[8192];
    char source[64];
    time_t before;
    time_t after;
    int line;

    (void)state;
    before = time(NULL);
    capture_start(&c);
    line = __LINE__ + 1; /* the log call is on the next line */
    log_info("container %s: pid %d", "abc", 42);
    capture_end(&c, got, sizeof(got));
    after = time(NULL);
    snprintf(source, sizeof(source), "test_log.c:%d", line);
    check_line(got, "info", "container abc: pid 42", source, before, after);
}

static void test_write_escapes_message(void **state)
{
    struct capture c;
    char got[8192];
    char source[64];
    time_t before;
    time_t after;
    int line;

    (void)state;
    before = time(NULL);
    capture_start(&c);
    line = __LINE__ + 1; /* the log call is on the next line */
    log_warn("say \"%s\"\tnow\n\x01 %s", "hi\\", "\xff");
    capture_end(&c, got, sizeof(got));
    after = time(NULL);
    snprintf(source, sizeof(source), "test_log.c:%d", line);
    check_line(got, "warn", "say \\\"hi\\\\\\\"\\tnow\\n\\u0001 \\ufffd", source, before, after);
}

static void test_write_levels_and_source_basename(void **state)
{
    struct capture c;
    char got[8192];
    time_t before;
    time_t after;

    (void)state;
    log_set_level(LOG_DEBUG);
    before = time(NULL);
    capture_start(&c);
    log_write(LOG_ERROR, "a/b/c/deep.c", 7, "e");
    capture_end(&c, got, sizeof(got));
    after = time(NULL);
    check_line(got, "error", "e", "deep.c:7", before, after);

    capture_start(&c);
    log_write(LOG_DEBUG, "plain.c", 1234, "d%d", 1);
    capture_end(&c, got, sizeof(got));
    after = time(NULL);
    check_line(got, "debug", "d1", "plain.c:1234", before, after);
}

static void test_write_below_minimum_prints_nothing(void **state)
{
    struct capture c;
    char got[8192];

    (void)state;
    capture_start(&c);
    log_debug("hidden at the default level");
    assert_int_equal(capture_end(&c, got, sizeof(got)), 0);

    log_set_level(LOG_WARN);
    capture_start(&c);
    log_debug("hidden");
    log_info("hidden too");
    assert_int_equal(capture_end(&c, got, sizeof(got)), 0);

    capture_start(&c);
    log_warn("shown");
    log_write(LOG_ERROR, "x.c", 1, "shown too");
    capture_end(&c, got, sizeof(got));
    assert_true(strncmp(got, "{\"level\":\"warn\",\"msg\":\"shown\",", 30) == 0);
    assert_non_null(strstr(got, "}\n{\"level\":\"error\",\"msg\":\"shown too\","));

    log_set_level(LOG_ERROR);
    capture_start(&c);
    log_warn("hidden");
    assert_int_equal(capture_end(&c, got, sizeof(got)), 0);
}

static void test_write_keeps_errno(void **state)
{
    struct capture c;
    char got[8192];
    int after_log;
    int after_msg;
    int after_sys;

    (void)state;
    capture_start(&c);
    errno = EACCES;
    log_info("x");
    after_log = errno;
    errno = ENOSPC;
    err_msg("y");
    after_msg = errno;
    errno = EBUSY;
    err_sys("z");
    after_sys = errno;
    capture_end(&c, got, sizeof(got));
    assert_int_equal(after_log, EACCES);
    assert_int_equal(after_msg, ENOSPC);
    assert_int_equal(after_sys, EBUSY);
    assert_non_null(strstr(got, "\"msg\":\"x\""));
    assert_non_null(strstr(got, "}\nmydocker: y\nmydocker: z: Device or resource busy\n"));

    /* Even when the write itself fails (stderr open read-only: EBADF). */
    {
        int ro = open("/dev/null", O_RDONLY);
        int saved_fd = dup(STDERR_FILENO);

        assert_true(ro >= 0 && saved_fd >= 0);
        dup2(ro, STDERR_FILENO);
        errno = EACCES;
        log_info("lost");
        after_log = errno;
        errno = ENOSPC;
        err_msg("lost");
        after_msg = errno;
        errno = EBUSY;
        err_sys("lost");
        after_sys = errno;
        dup2(saved_fd, STDERR_FILENO);
        close(saved_fd);
        close(ro);
        assert_int_equal(after_log, EACCES);
        assert_int_equal(after_msg, ENOSPC);
        assert_int_equal(after_sys, EBUSY);
    }
}

static void test_write_long_message_is_one_line(void **state)
{
    static char big[3000];
    static char got[16384];
    static char want[4096];
    struct capture c;
    size_t n;

    (void)state;
    /* The message is cut at 2047 bytes; the line stays whole. */
    memset(big, 'a', sizeof(big) - 1);
    capture_start(&c);
    log_info("%s", big);
    n = capture_end(&c, got, sizeof(got));
    memset(want, 'a', 2047);
    want[2047] = '\0';
    assert_true(strncmp(got, "{\"level\":\"info\",\"msg\":\"", 23) == 0);
    assert_memory_equal(got + 23, want, 2047);
    assert_true(strncmp(got + 23 + 2047, "\",\"source\":\"test_log.c:", 23) == 0);
    assert_int_equal(got[n - 1], '\n');
    assert_null(memchr(got, '\n', n - 1));

    /* Whatever the escaping makes of it, one write of at most 4095 bytes,
     * ending in a newline, with no newline inside. */
    memset(big, '"', sizeof(big) - 1);
    capture_start(&c);
    log_info("%s", big);
    n = capture_end(&c, got, sizeof(got));
    assert_in_range(n, 2, 4095);
    assert_int_equal(got[n - 1], '\n');
    assert_null(memchr(got, '\n', n - 1));
    /* ... and still whole JSON: the escapes are cut whole, the fields close. */
    assert_true(n > 3 && memcmp(got + n - 3, "\"}\n", 3) == 0);
    assert_non_null(strstr(got, "\",\"source\":\"test_log.c:"));
    {
        const char *msg = got + 23;
        const char *end = strstr(msg, "\",\"source\"");

        assert_int_equal((end - msg) % 2, 0); /* only \" pairs, never half of one */
    }
}

/* ---- err_sys, err_msg, fmt_path ---------------------------------------- */

static void test_err_sys(void **state)
{
    struct capture c;
    char got[8192];
    char want[512];

    (void)state;
    capture_start(&c);
    errno = ENOENT;
    err_sys("open %s", "/no/such");
    capture_end(&c, got, sizeof(got));
    snprintf(want, sizeof(want), "mydocker: open /no/such: %s\n", strerror(ENOENT));
    assert_string_equal(got, want);
    assert_string_equal(got, "mydocker: open /no/such: No such file or directory\n");

    capture_start(&c);
    errno = EBUSY;
    err_sys("rmdir %s", "/x");
    capture_end(&c, got, sizeof(got));
    assert_string_equal(got, "mydocker: rmdir /x: Device or resource busy\n");
}

static void test_err_msg(void **state)
{
    struct capture c;
    char got[8192];

    (void)state;
    capture_start(&c);
    errno = ENOENT; /* not used */
    err_msg("unknown command '%s' (%d)", "frob", 7);
    capture_end(&c, got, sizeof(got));
    assert_string_equal(got, "mydocker: unknown command 'frob' (7)\n");
}

static void test_err_long_message_is_cut(void **state)
{
    static char big[6000];
    static char got[16384];
    struct capture c;
    size_t n;

    (void)state;
    memset(big, 'q', sizeof(big) - 1);
    capture_start(&c);
    errno = EIO;
    err_sys("%s", big);
    n = capture_end(&c, got, sizeof(got));
    assert_int_equal(n, 4095);
    assert_true(strncmp(got, "mydocker: qqq", 13) == 0);
    assert_int_equal(got[n - 2], 'q');
    assert_int_equal(got[n - 1], '\n');
}

static void test_fmt_path(void **state)
{
    struct capture c;
    char got[8192];
    char buf[16];
    int ret;
    int saved;

    (void)state;
    capture_start(&c);
    ret = fmt_path(buf, sizeof(buf), "%s/%s", "/a", "b");
    assert_int_equal(capture_end(&c, got, sizeof(got)), 0);
    assert_int_equal(ret, 0);
    assert_string_equal(buf, "/a/b");

    /* 15 characters fit in 16 bytes; 16 do not. */
    assert_int_equal(fmt_path(buf, sizeof(buf), "%s", "/123456789abcde"), 0);
    capture_start(&c);
    errno = 0;
    ret = fmt_path(buf, sizeof(buf), "%s", "/123456789abcdef");
    saved = errno;
    capture_end(&c, got, sizeof(got));
    assert_int_equal(ret, -1);
    assert_int_equal(saved, ENAMETOOLONG);
    assert_string_equal(got, "mydocker: path /123456789abcde...: File name too long\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_plain),
        cmocka_unit_test(test_escape_quote_backslash),
        cmocka_unit_test(test_escape_whitespace_controls),
        cmocka_unit_test(test_escape_other_controls),
        cmocka_unit_test(test_escape_valid_utf8_kept),
        cmocka_unit_test(test_escape_invalid_utf8),
        cmocka_unit_test(test_escape_truncation),
        cmocka_unit_test(test_parse_level),
        cmocka_unit_test_setup_teardown(test_write_info_line, reset_level, reset_level),
        cmocka_unit_test_setup_teardown(test_write_escapes_message, reset_level, reset_level),
        cmocka_unit_test_setup_teardown(test_write_levels_and_source_basename, reset_level,
                                        reset_level),
        cmocka_unit_test_setup_teardown(test_write_below_minimum_prints_nothing, reset_level,
                                        reset_level),
        cmocka_unit_test_setup_teardown(test_write_keeps_errno, reset_level, reset_level),
        cmocka_unit_test_setup_teardown(test_write_long_message_is_one_line, reset_level,
                                        reset_level),
        cmocka_unit_test(test_err_sys),
        cmocka_unit_test(test_err_msg),
        cmocka_unit_test(test_err_long_message_is_cut),
        cmocka_unit_test(test_fmt_path),
    };

    return cmocka_run_group_tests_name("chapter3 unit: log", tests, NULL, NULL);
}
