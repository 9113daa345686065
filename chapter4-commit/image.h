/* Images: a tarball in $MYDOCKER_ROOT/images, unpacked once into a
 * directory beside it. */
#ifndef MYDOCKER_IMAGE_H
#define MYDOCKER_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

#define DEFAULT_IMAGE "busybox"

/* Makes sure images/NAME/ exists, unpacking images/NAME.tar on first use,
 * and writes its path to dir. 0 on success, -1 after saying why. */
int image_unpack(const char *name, char *dir, size_t len);

/* [a-z0-9][a-z0-9_.-]{0,127}, not ending in ".tar": nothing else may
 * become a path. */
bool image_name_valid(const char *name);

/* After images/NAME.tar was replaced: moves the stale unpacked copy out
 * of the way, and removes it unless a running container still uses it. */
int image_forget_unpacked(const char *name);

/* Removes the temps in images/ (names that begin with '.') that no
 * mydocker holds any more: what a killed unpack or commit left, and old
 * copies of a replaced image once no container uses them. */
void images_reap_stale(void);
/* mkdtemp (dir) or mkostemp (a file) of tmp, a template in images/ whose
 * name begins with '.', and the temp's lock: returns an fd that holds it
 * (for a file, its own), or -1. */
int image_make_temp(char *tmp, bool dir);

#endif
