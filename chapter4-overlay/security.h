/* What keeps root in the container from reaching the host, once the
 * container has a root of its own: read-only and masked parts of /proc,
 * a capability set like Docker's, and a small seccomp filter. */
#ifndef MYDOCKER_SECURITY_H
#define MYDOCKER_SECURITY_H

/* After /proc and /dev are mounted: makes the parts of /proc that reach
 * the whole machine read-only, and hides the ones that leak its secrets.
 * 0 on success, -1 after saying what failed. */
int security_harden_proc(void);

/* The last step before exec: installs the seccomp filter, then cuts every
 * capability set to the default. After it, no mount can be made or
 * undone. 0 on success, -1 after saying what failed. */
int security_drop_privileges(void);

#endif
