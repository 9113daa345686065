/* Images: a tarball in $MYDOCKER_ROOT/images, unpacked once into a
 * directory beside it. */
#ifndef MYDOCKER_IMAGE_H
#define MYDOCKER_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

#define DEFAULT_IMAGE "busybox"

/* $MYDOCKER_ROOT, or /var/lib/mydocker. */
const char *state_root(void);

/* Makes sure images/NAME/ exists, unpacking images/NAME.tar on first use,
 * and writes its path to dir. 0 on success, -1 after saying why. */
int image_unpack(const char *name, char *dir, size_t len);

/* [a-z0-9][a-z0-9_.-]{0,127}, not ending in ".tar": nothing else may
 * become a path. */
bool image_name_valid(const char *name);

/* After images/NAME.tar was replaced: moves the stale unpacked copy out
 * of the way, and removes it unless a running container still uses it. */
int image_forget_unpacked(const char *name);

/* Runs tar with argv (argv[0] is "tar"; its "--file" is `file`, named in
 * the error) and waits: 0 if it exited 0. out_fd, if not -1, becomes its
 * stdout; dir_fd, if not -1, its working directory. No other fd of ours
 * reaches it. */
int run_tar(char *const argv[], const char *file, int out_fd, int dir_fd);

/* Removes the temps in images/ (names that begin with '.') that no
 * mydocker holds any more: what a killed unpack or commit left, and old
 * copies of a replaced image once no container uses them. */
void images_reap_stale(void);
/* mkdtemp (dir) or mkostemp (a file) of tmp, a template in images/ whose
 * name begins with '.', and the temp's lock: returns an fd that holds it
 * (for a file, its own), or -1. */
int image_make_temp(char *tmp, bool dir);

/* rm -rf that never leaves the filesystem it starts on: a mount point
 * below path makes it fail rather than delete what is mounted there. It
 * works relative to directory fds, so no depth or name stops it. */
int remove_tree(const char *path);

#endif
