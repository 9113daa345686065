#include "image.h"

#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_ROOT "/var/lib/mydocker"

enum { NFTW_FDS = 32 }; /* open directories nftw may hold at once */

const char *state_root(void)
{
    const char *root = getenv("MYDOCKER_ROOT");

    return root && *root ? root : DEFAULT_ROOT;
}

/* nftw stops at the first non-zero return and passes it on: REPORTED
 * tells remove_tree the failure was already named here. */
enum { REPORTED = 1 };

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)ftw;
    if ((type == FTW_DP ? rmdir(path) : unlink(path)) < 0) {
        err_sys("remove %s", path);
        return REPORTED;
    }
    return 0;
}

int remove_tree(const char *path)
{
    /* FTW_PHYS: a symlink is removed, never followed. FTW_MOUNT: nothing on
     * another filesystem is visited, so its mount point stays non-empty and
     * its rmdir fails: we stop instead of emptying a mount. */
    int ret = nftw(path, remove_entry, NFTW_FDS, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);

    if (ret == REPORTED)
        return -1;
    if (ret < 0 && errno != ENOENT) {
        err_sys("remove %s", path);
        return -1;
    }
    return 0;
}

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

/* GNU tar by an absolute path, found once: not through the PATH that
 * mydocker was given, which its caller controls. */
static const char *tar_path(void)
{
    static const char *const candidates[] = {"/usr/bin/tar", "/bin/tar"};
    static const char *found;

    for (size_t i = 0; !found && i < sizeof(candidates) / sizeof(candidates[0]); i++) {
        if (access(candidates[i], X_OK) == 0)
            found = candidates[i];
    }
    if (!found)
        err_msg("no tar in /usr/bin or /bin: install GNU tar");
    return found;
}

/* tar's environment is fixed, not ours: TAR_OPTIONS=--absolute-names in
 * the caller's would switch off the defences untar() relies on, and
 * TAPE or a locale could change what it reads or prints. */
static char *const tar_env[] = {"PATH=/usr/bin:/bin", "LC_ALL=C", NULL};

/* GNU tar refuses member names with "..", strips a leading "/", and
 * creates symlinks that point outside as placeholders until the end, so a
 * symlink cannot carry a later member out of dir. */
static int untar(const char *tarball, const char *dir)
{
    char *const argv[] = {"tar",    "--extract",     "--numeric-owner", "--preserve-permissions",
                          "--file", (char *)tarball, "--directory",     (char *)dir,
                          NULL};
    const char *tar = tar_path();
    int wstatus;
    pid_t pid;

    if (!tar)
        return -1;
    pid = fork();
    if (pid < 0) {
        err_sys("fork tar");
        return -1;
    }
    if (pid == 0) {
        if (close_extra_fds() < 0)
            _exit(127);
        reset_signals();
        execve(tar, argv, tar_env);
        err_sys("exec tar");
        _exit(127);
    }
    if (waitpid(pid, &wstatus, 0) < 0 || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
        err_msg("tar --extract --file %s failed", tarball);
        return -1;
    }
    return 0;
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

int image_unpack(const char *name, char *dir, size_t len)
{
    char tarball[PATH_MAX];
    char tmp[PATH_MAX];
    struct stat st;

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
    if (!mkdtemp(tmp)) {
        err_sys("mkdtemp %s", tmp);
        return -1;
    }
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
    return 0;
fail:
    remove_tree(tmp);
    return -1;
}
