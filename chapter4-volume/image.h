/* Images: a tarball in $MYDOCKER_ROOT/images, unpacked once into a
 * directory beside it. */
#ifndef MYDOCKER_IMAGE_H
#define MYDOCKER_IMAGE_H

#include <stddef.h>

/* Makes sure images/NAME/ exists, unpacking images/NAME.tar on first use,
 * and writes its path to dir. 0 on success, -1 after saying why. */
int image_unpack(const char *name, char *dir, size_t len);

/* Removes the temps in images/ (names that begin with '.') that no
 * mydocker holds any more: what a killed unpack left. */
void images_reap_stale(void);

#endif
