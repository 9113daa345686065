/* The container's own root filesystem: pivot_root, /proc, /dev. */
#ifndef MYDOCKER_ROOTFS_H
#define MYDOCKER_ROOTFS_H

/* Called in the child, in its own mount namespace, after / was made
 * private: makes newroot the root, detaches the host's, mounts a fresh
 * /proc and a minimal /dev. 0 on success, -1 after saying what failed. */
int rootfs_enter(const char *newroot);

#endif
