/* Small helpers more than one part of mydocker needs. */
#ifndef MYDOCKER_UTIL_H
#define MYDOCKER_UTIL_H

/* Marks every file descriptor above stderr close-on-exec, so that the
 * program exec'd next gets stdin, stdout and stderr and nothing else,
 * whatever the caller of mydocker left open. 0, or -1 with errno set. */
int close_extra_fds(void);

/* Default dispositions for every signal and an empty signal mask: what a
 * program exec'd next should start with, whatever mydocker or its caller
 * ignored or blocked. */
void reset_signals(void);

#endif
