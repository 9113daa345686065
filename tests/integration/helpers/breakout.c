/* The classic chroot escape, run inside a container by test_rootfs.c.
 * chroot(2) only moves this process's "/"; with the cwd left outside the
 * new root, ".." climbs on up to the real one. A chroot-only "container"
 * is escaped this way; a pivot_root container has no host root to climb
 * to. Prints the root it ends up in. Built static so it runs in busybox. */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
    mkdir("/breakout-x", 0700);
    if (chroot("/breakout-x") < 0) {
        perror("chroot");
        return 1;
    }
    for (int i = 0; i < 64; i++) {
        if (chdir("..") < 0) {
            perror("chdir");
            return 1;
        }
    }
    if (chroot(".") < 0) {
        perror("chroot .");
        return 1;
    }
    rmdir("/breakout-x");
    execl("/bin/ls", "ls", "-a", "/", (char *)NULL);
    perror("exec ls");
    return 1;
}
