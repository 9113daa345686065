#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A log line is built whole and written with one write(2), so the lines of
 * the parent and of the child never interleave mid-line. */
enum {
    LINE_MAX_BYTES = 4096,
    MSG_MAX_BYTES = 2048,
    /* Room for the escaped message with the level, source and time around
     * it: a long message is cut, the line stays whole JSON. */
    ESCAPED_MAX_BYTES = LINE_MAX_BYTES - 256,
};

static enum log_level min_level = LOG_INFO;

static const char *const level_names[] = {
    [LOG_DEBUG] = "debug",
    [LOG_INFO] = "info",
    [LOG_WARN] = "warn",
    [LOG_ERROR] = "error",
};

int log_parse_level(const char *name, enum log_level *level)
{
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *level = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

void log_set_level(enum log_level level)
{
    min_level = level;
}

/* Length of the valid UTF-8 sequence starting at s, or 0 if it is not one.
 * Overlong forms and surrogates are rejected, as RFC 3629 asks. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n;
    unsigned min;
    unsigned cp;

    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xe0) == 0xc0) {
        n = 2, min = 0x80, cp = s[0] & 0x1f;
    } else if ((s[0] & 0xf0) == 0xe0) {
        n = 3, min = 0x800, cp = s[0] & 0x0f;
    } else if ((s[0] & 0xf8) == 0xf0) {
        n = 4, min = 0x10000, cp = s[0] & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

size_t log_json_escape(char *dst, size_t cap, const char *src)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t out = 0;  /* the length the whole escape needs */
    size_t fits = 0; /* what was written to dst */

    while (*s) {
        char esc[8];
        const char *piece = esc;
        size_t len = 2;
        size_t seq = utf8_len(s);

        if (*s == '"' || *s == '\\') {
            esc[0] = '\\', esc[1] = (char)*s;
        } else if (*s == '\n') {
            piece = "\\n";
        } else if (*s == '\t') {
            piece = "\\t";
        } else if (*s == '\r') {
            piece = "\\r";
        } else if (*s < 0x20 || *s == 0x7f) {
            len = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", *s);
        } else if (seq == 0) {
            piece = "\\ufffd", len = 6, seq = 1;
        } else {
            piece = (const char *)s, len = seq;
        }
        if (seq == 0)
            seq = 1;
        /* Whole escapes or nothing: a cut "\u00" would break the JSON. */
        if (out + len < cap && fits == out)
            memcpy(dst + out, piece, len), fits += len;
        out += len;
        s += seq;
    }
    if (cap > 0)
        dst[fits] = '\0';
    return out;
}

void log_write(enum log_level level, const char *file, int line, const char *fmt, ...)
{
    char msg[MSG_MAX_BYTES];
    char escaped[ESCAPED_MAX_BYTES];
    char stamp[32];
    char buf[LINE_MAX_BYTES];
    const char *base = strrchr(file, '/');
    struct tm tm;
    time_t now = time(NULL);
    va_list ap;
    int saved = errno;
    int n;

    if (level < min_level)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_json_escape(escaped, sizeof(escaped), msg);
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
    n = snprintf(buf, sizeof(buf),
                 "{\"level\":\"%s\",\"msg\":\"%s\",\"source\":\"%s:%d\",\"time\":\"%s\"}\n",
                 level_names[level], escaped, base ? base + 1 : file, line, stamp);
    if (n > (int)sizeof(buf) - 1) {
        n = (int)sizeof(buf) - 1;
        buf[n - 1] = '\n';
    }
    if (write(STDERR_FILENO, buf, (size_t)n) < 0) {
        /* Nowhere left to report a failed log write. */
    }
    errno = saved;
}

static void err_vwrite(const char *fmt, va_list ap, const char *reason)
{
    char buf[LINE_MAX_BYTES];
    int n = snprintf(buf, sizeof(buf), "mydocker: ");

    n += vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
    if (n < (int)sizeof(buf) && reason)
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, ": %s", reason);
    if (n > (int)sizeof(buf) - 2)
        n = (int)sizeof(buf) - 2;
    buf[n++] = '\n';
    if (write(STDERR_FILENO, buf, (size_t)n) < 0) {
        /* Nowhere left to report it. */
    }
}

void err_sys(const char *fmt, ...)
{
    int saved = errno;
    va_list ap;

    va_start(ap, fmt);
    err_vwrite(fmt, ap, strerror(saved));
    va_end(ap);
    errno = saved;
}

void err_msg(const char *fmt, ...)
{
    int saved = errno;
    va_list ap;

    va_start(ap, fmt);
    err_vwrite(fmt, ap, NULL);
    va_end(ap);
    errno = saved;
}

int fmt_path(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= len) {
        errno = ENAMETOOLONG;
        err_sys("path %.64s...", buf);
        return -1;
    }
    return 0;
}
