/* mydocker commit: save a running container's filesystem as an image. */
#ifndef MYDOCKER_COMMIT_H
#define MYDOCKER_COMMIT_H

/* Packs the merged view of running container `id` (NULL: the only one
 * running) into images/IMAGE.tar and prints that path. Returns an exit
 * status: 0, or 125 after saying why. */
int commit_container(const char *id, const char *image);

#endif
