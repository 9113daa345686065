#include "log.h"

#include "json.h"

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
    json_escape(escaped, sizeof(escaped), msg);
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
