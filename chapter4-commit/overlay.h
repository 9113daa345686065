/* Copy-on-write for containers: the image is overlayfs's read-only lower
 * layer; each container writes into its own upper layer, removed at exit. */
#ifndef MYDOCKER_OVERLAY_H
#define MYDOCKER_OVERLAY_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#define OVERLAYFS_MAGIC 0x794c7630 /* statfs f_type; see linux/magic.h */

/* Container ids are 12 hex digits; room to spare for names read from disk. */
enum { CONTAINER_ID_MAX = 64 };

/* containers/ID under the state root: upper, work, merged, state. */
struct container_fs {
    char dir[PATH_MAX];
    char merged[PATH_MAX];
    int lock_fd;  /* the dir, flock()ed while its mydocker lives */
    int lower_fd; /* the image dir, share-locked: "in use" */
    bool mounted;
};

/* Makes containers/ID and mounts the overlay of image dir `lower` on its
 * merged/. On failure undoes what it did and returns -1. */
int container_fs_create(struct container_fs *fs, const char *id, const char *lower);
/* Records the container's pid in containers/ID/state. */
int container_fs_write_state(const struct container_fs *fs, pid_t pid);
/* For a commit: a shared lock on containers/ID/upper, for as long as the
 * fd it returns stays open, during which the teardown waits. -1 with a
 * message when the container has stopped. */
int container_fs_hold(const char *id);
/* Unmounts merged/ and removes containers/ID, once no commit holds it. */
int container_fs_destroy(struct container_fs *fs);

/* Removes what runs killed with SIGKILL left behind: their overlay mount
 * and container dir, once a PID 1 that outlived them is gone (their
 * cgroups are cgroups_reap_stale's). A run is dead when nobody holds its
 * lock. */
void containers_reap_stale(void);
/* Fills ids with up to max running containers (their lock is held);
 * returns how many run, which may be more than max, or -1. */
int containers_running(char ids[][CONTAINER_ID_MAX], int max);
/* Whether containers/ID exists and its mydocker holds its lock. */
bool container_running(const char *id);

#endif
