/* Ways out of a container that need more than busybox, run inside one by
 * test_security.c. Each must fail in a container and work with
 * -privileged; none harms the host when it works. Built static, since the
 * image has no C library. Exit 0 when the attack worked.
 *   escape keyread ID   read key ID through the session keyring that
 *                       mydocker's caller had (keyrings are not namespaced)
 *   escape tiocsti      push a character into the terminal's input, as if
 *                       typed (the test gives it a terminal of its own) */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int keyread(const char *id)
{
    char buf[256];
    long n = syscall(SYS_keyctl, KEYCTL_READ, atol(id), buf, sizeof(buf) - 1);

    if (n < 0) {
        printf("keyctl read: %s\n", strerror(errno));
        return 1;
    }
    buf[n < (long)sizeof(buf) ? n : (long)sizeof(buf) - 1] = '\0';
    printf("key: %s\n", buf);
    return 0;
}

static int tiocsti(void)
{
    char c = 'x';

    if (ioctl(STDIN_FILENO, TIOCSTI, &c) < 0) {
        printf("ioctl TIOCSTI: %s\n", strerror(errno));
        return 1;
    }
    printf("pushed a key into the terminal\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "keyread") == 0)
        return keyread(argv[2]);
    if (argc == 2 && strcmp(argv[1], "tiocsti") == 0)
        return tiocsti();
    fprintf(stderr, "usage: escape keyread ID | escape tiocsti\n");
    return 2;
}
