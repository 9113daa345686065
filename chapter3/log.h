/* Logging: one JSON line per step, shaped like the Go book's logrus output,
 * and plain "mydocker: ..." lines for errors a person must read. */
#ifndef MYDOCKER_LOG_H
#define MYDOCKER_LOG_H

#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Parses "debug", "info", "warn" or "error"; -1 for anything else. */
int log_parse_level(const char *name, enum log_level *level);
void log_set_level(enum log_level level);

void log_write(enum log_level level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define log_debug(...) log_write(LOG_DEBUG, __FILE__, __LINE__, __VA_ARGS__)
#define log_info(...)  log_write(LOG_INFO, __FILE__, __LINE__, __VA_ARGS__)
#define log_warn(...)  log_write(LOG_WARN, __FILE__, __LINE__, __VA_ARGS__)

/* "mydocker: <message>: <strerror(errno)>" on stderr; errno is kept. */
void err_sys(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "mydocker: <message>" on stderr. */
void err_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
