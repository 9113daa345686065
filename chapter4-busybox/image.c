#include "image.h"

#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum { NFTW_FDS = 32 }; /* open directories nftw may hold at once */

/* A device node in an image would hand the container the host's device
 * (a disk, say): images get none. /dev is made fresh at every start. */
static int drop_device(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)type, (void)ftw;
    if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
        log_warn("image: dropping device node %s", path);
        if (unlink(path) < 0) {
            err_sys("unlink %s", path);
            return -1;
        }
    }
    return 0;
}

/* GNU tar refuses member names with "..", strips a leading "/", and
 * creates symlinks that point outside as placeholders until the end, so a
 * symlink cannot carry a later member out of dir. */
static int untar(const char *tarball, const char *dir)
{
    char *const argv[] = {"tar",    "--extract",     "--numeric-owner", "--preserve-permissions",
                          "--file", (char *)tarball, "--directory",     (char *)dir,
                          NULL};

    return run_tar(argv, tarball, -1, -1);
}

/* images/ holds the files of every image, setuid-root ones included: a
 * local user who could walk in could run them, as root. So it is for
 * root only, whatever made it (the script, an older mydocker, mkdir -p). */
static int images_dir_private(void)
{
    char images[PATH_MAX];
    struct stat st;

    if (fmt_path(images, sizeof(images), "%s/images", state_root()) < 0)
        return -1;
    if (stat(images, &st) < 0 || (st.st_mode & (S_IRWXG | S_IRWXO)) == 0)
        return 0; /* missing (the tarball check names it), or private already */
    if (chmod(images, S_IRWXU) < 0) {
        err_sys("chmod 0700 %s", images);
        return -1;
    }
    return 0;
}

/* Names in images/ that begin with '.' are never images (an image name
 * begins with [a-z0-9]): they are the temps of a mydocker at work, each
 * flock()ed by the process that uses it (lock_open). images/ itself is
 * locked while a temp is made and locked, and while stale ones are
 * judged: a temp made an instant ago, not yet locked, would look dead. */

/* mkdtemp(tmp), locked: returns the lock's fd, or -1. */
static int make_temp_dir(char *tmp)
{
    char images[PATH_MAX];
    int lock;
    int fd = -1;

    if (fmt_path(images, sizeof(images), "%s/images", state_root()) < 0)
        return -1;
    lock = lock_open(AT_FDCWD, images, LOCK_EX);
    if (lock < 0) {
        err_sys("lock %s", images);
        return -1;
    }
    if (!mkdtemp(tmp)) {
        err_sys("mkdtemp %s", tmp);
    } else if ((fd = lock_open(AT_FDCWD, tmp, LOCK_EX | LOCK_NB)) < 0) {
        err_sys("lock %s", tmp);
        rmdir(tmp);
    }
    close(lock);
    return fd;
}

/* A temp whose lock we can take is no mydocker's any more. */
static void reap_temp(int dir, const char *images, const char *name)
{
    char path[PATH_MAX];
    struct stat st;
    int fd;

    if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
        !(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) ||
        fmt_path(path, sizeof(path), "%s/%s", images, name) < 0)
        return;
    fd = lock_if_abandoned(dir, name);
    if (fd < 0)
        return; /* in use, or renamed or removed by its owner meanwhile */
    log_info("removing %s, which no mydocker uses any more", path);
    if (S_ISDIR(st.st_mode))
        remove_tree(path);
    else if (unlink(path) < 0)
        err_sys("remove %s", path);
    close(fd);
}

static bool is_temp(const char *name)
{
    return name[0] == '.' && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

void images_reap_stale(void)
{
    char images[PATH_MAX];
    struct dirent *e;
    bool any = false;
    DIR *d;
    int lock;

    if (fmt_path(images, sizeof(images), "%s/images", state_root()) < 0)
        return;
    /* A look without the lock first: every command starts here, and
     * there is almost never a temp to judge. */
    d = opendir(images);
    while (d && !any && (e = readdir(d)))
        any = is_temp(e->d_name);
    if (d)
        closedir(d);
    if (!any)
        return;
    lock = lock_open(AT_FDCWD, images, LOCK_EX);
    d = lock >= 0 ? fdopendir(lock) : NULL;
    while (d && (e = readdir(d))) {
        if (is_temp(e->d_name))
            reap_temp(dirfd(d), images, e->d_name);
    }
    if (d)
        closedir(d); /* and with its fd, the lock */
    else if (lock >= 0)
        close(lock);
}

int image_unpack(const char *name, char *dir, size_t len)
{
    char tarball[PATH_MAX];
    char tmp[PATH_MAX];
    struct stat st;
    int tmp_lock;

    if (fmt_path(dir, len, "%s/images/%s", state_root(), name) < 0 ||
        fmt_path(tarball, sizeof(tarball), "%s.tar", dir) < 0 ||
        fmt_path(tmp, sizeof(tmp), "%s/images/.%s.unpack-XXXXXX", state_root(), name) < 0)
        return -1;
    if (images_dir_private() < 0)
        return -1;
    /* The warm path: a directory here is always complete (see rename below). */
    if (stat(dir, &st) == 0)
        return 0;
    if (stat(tarball, &st) < 0) {
        err_sys("image %s: %s", name, tarball);
        err_msg("hint: create it with scripts/busybox-image.sh (./run does it for you)");
        return -1;
    }
    log_info("unpacking image %s into %s", tarball, dir);
    tmp_lock = make_temp_dir(tmp);
    if (tmp_lock < 0)
        return -1;
    /* mkdtemp makes 0700; the image root must be enterable by everyone. */
    if (chmod(tmp, 0755) < 0 || untar(tarball, tmp) < 0 ||
        nftw(tmp, drop_device, NFTW_FDS, FTW_PHYS | FTW_MOUNT) != 0)
        goto fail;
    /* Unpack beside, then rename: a crash mid-unpack leaves a temp dir,
     * never a half image under the real name. If another run won the race,
     * its copy is as good as ours. */
    if (rename(tmp, dir) < 0) {
        if (errno != EEXIST && errno != ENOTEMPTY) {
            err_sys("rename %s to %s", tmp, dir);
            goto fail;
        }
        remove_tree(tmp);
    }
    close(tmp_lock);
    return 0;
fail:
    remove_tree(tmp);
    close(tmp_lock);
    return -1;
}
