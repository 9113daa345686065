/* Small helpers more than one part of mydocker needs. */
#ifndef MYDOCKER_UTIL_H
#define MYDOCKER_UTIL_H

#include <stddef.h>

/* Marks every file descriptor above stderr close-on-exec, so that the
 * program exec'd next gets stdin, stdout and stderr and nothing else,
 * whatever the caller of mydocker left open. 0, or -1 with errno set. */
int close_extra_fds(void);

/* Default dispositions for every signal and an empty signal mask: what a
 * program exec'd next should start with, whatever mydocker or its caller
 * ignored or blocked. */
void reset_signals(void);

/* Opens path (relative to the directory fd dir, or AT_FDCWD) read-only
 * and takes its flock(2) as how says: the fd, or -1 with errno set.
 * flock works on a directory's fd as on a file's, on cgroupfs too. Our
 * runs hold such a lock on what they own for as long as they live, and
 * the kernel drops it when they die, however they die. */
int lock_open(int dir, const char *path, int how);

/* For a reaper: an exclusive lock on dir/name, if its owner is gone. A
 * lock nobody holds means the owner died, or it finished and removed
 * name just before we locked it: that second case is told by name no
 * longer naming what we opened. The fd, or -1 (alive, or already gone). */
int lock_if_abandoned(int dir, const char *name);

/* snprintf for paths: a path that does not fit is an error (named once,
 * here), never a silently shortened path. */
int fmt_path(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Reads up to len - 1 bytes of a small file (a cgroup or /proc file) into
 * buf, NUL-terminated. 0, or -1 with errno set. */
int read_text(const char *path, char *buf, size_t len);

/* $MYDOCKER_ROOT, or /var/lib/mydocker. */
const char *state_root(void);

/* rm -rf that never leaves the filesystem it starts on: a mount point
 * below path makes it fail rather than delete what is mounted there. It
 * works relative to directory fds, so no depth or name stops it. */
int remove_tree(const char *path);

/* Runs tar with argv (argv[0] is "tar"; its "--file" is `file`, named in
 * the error) and waits: 0 if it exited 0. out_fd, if not -1, becomes its
 * stdout; dir_fd, if not -1, its working directory. No other fd of ours
 * reaches it. */
int run_tar(char *const argv[], const char *file, int out_fd, int dir_fd);

#endif
