#include "security.h"

#include "log.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- /proc ------------------------------------------------------------ */

/* Files in /proc that act on the whole machine, not on the container:
 * /proc/sys (kernel.panic, kernel.core_pattern, vm.*...), sysrq-trigger
 * (reboot, crash), irq (CPU affinity of interrupts), bus (PCI config),
 * fs (NFS export tables). Read-only, as Docker makes them. */
static const char *const read_only[] = {
    "/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs",
};

/* Files that would tell the container about the host's memory (kcore),
 * keys (keys), timers and scheduler (timer_list, sched_debug: kernel
 * addresses and every task of the host), and hardware (acpi, scsi).
 * Hidden under /dev/null (a file) or an empty read-only tmpfs (a dir). */
static const struct {
    const char *path;
    int is_dir;
} masked[] = {
    {"/proc/kcore", 0},       {"/proc/keys", 0}, {"/proc/timer_list", 0},
    {"/proc/sched_debug", 0}, {"/proc/acpi", 1}, {"/proc/scsi", 1},
};

/* A bind mount starts with the flags of what it binds; MS_RDONLY takes a
 * second call, a remount of the bind (mount(2), "Creating a bind mount").
 * Root could remount it writable, but not without CAP_SYS_ADMIN, which
 * security_drop_privileges() takes away. */
static int bind_read_only(const char *path)
{
    if (mount(path, path, NULL, MS_BIND, NULL) < 0 ||
        mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
              NULL) < 0)
        return -1;
    return 0;
}

static int mask(const char *path, int is_dir)
{
    if (is_dir)
        return mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    return mount("/dev/null", path, NULL, MS_BIND, NULL);
}

int security_harden_proc(void)
{
    /* Not every kernel has every file (sched_debug moved to debugfs in
     * 5.13; kcore needs CONFIG_PROC_KCORE): what is absent needs no mask. */
    for (size_t i = 0; i < sizeof(read_only) / sizeof(read_only[0]); i++) {
        if (bind_read_only(read_only[i]) < 0 && errno != ENOENT) {
            err_sys("make %s read-only", read_only[i]);
            return -1;
        }
    }
    for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]); i++) {
        if (mask(masked[i].path, masked[i].is_dir) < 0 && errno != ENOENT) {
            err_sys("mask %s", masked[i].path);
            return -1;
        }
    }
    return 0;
}

/* ---- seccomp ---------------------------------------------------------- */

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define NATIVE_ARCH AUDIT_ARCH_RISCV64
#else
#error "security.c: add this architecture's AUDIT_ARCH_ value"
#endif

/* The filter reads the low 32 bits of an argument; where they sit in the
 * 64-bit field depends on the byte order. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LOW(n) (offsetof(struct seccomp_data, args) + (n) * sizeof(uint64_t))
#else
#define ARG_LOW(n) (offsetof(struct seccomp_data, args) + (n) * sizeof(uint64_t) + sizeof(uint32_t))
#endif

/* The filter, a classic BPF program (seccomp(2)) that the kernel runs at
 * every system call: it loads a word of struct seccomp_data, compares,
 * jumps, and returns what happens to the call. */
#define LOAD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
#define RETURN(act) BPF_STMT(BPF_RET | BPF_K, (act))
/* Two instructions: if the loaded word is k, fail the call with EPERM;
 * else go on with the next test. */
#define DENY_IF(k)                                                                                 \
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), 0, 1),                                                \
        RETURN(SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))

static struct sock_filter filter[] = {
    /* A system call's number means something else in another ABI (a
     * 32-bit program on x86-64 calls keyctl as 288, not 250): kill what
     * does not use ours, rather than let it past the list. */
    LOAD(arch),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
    RETURN(SECCOMP_RET_KILL_PROCESS),
    LOAD(nr),
#ifdef __x86_64__
    /* x32 programs share the x86-64 arch value, with this bit in nr. */
    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
    RETURN(SECCOMP_RET_KILL_PROCESS),
#endif
    /* The kernel keyrings are not namespaced: keyctl(2) would let the
     * container read and change the keys of the user who started
     * mydocker. Docker's default profile refuses these three too. */
    DENY_IF(SYS_keyctl),
    DENY_IF(SYS_add_key),
    DENY_IF(SYS_request_key),
    /* ioctl goes on to the test of its request; every other call is let
     * through. */
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ioctl, 1, 0),
    RETURN(SECCOMP_RET_ALLOW),
    /* With -ti the container shares your terminal. TIOCSTI pushes
     * characters into its input as if you typed them: a container could
     * leave a command for your shell to read when it exits (CVE-2017-5226
     * is this in bubblewrap). TIOCLINUX does the same through a virtual
     * console's paste buffer. The request is ioctl's second argument; the
     * kernel reads only its low 32 bits. */
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LOW(1)),
    DENY_IF(TIOCSTI),
    DENY_IF(TIOCLINUX),
    RETURN(SECCOMP_RET_ALLOW),
};

static int install_filter(void)
{
    struct sock_fprog prog = {.len = sizeof(filter) / sizeof(filter[0]), .filter = filter};

    /* Installing a filter takes CAP_SYS_ADMIN, or no_new_privs, which
     * would also disarm every setuid binary in the image (su, ping): so
     * the filter goes in first, while we still hold every capability. */
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
        err_sys("install the seccomp filter (prctl PR_SET_SECCOMP)");
        return -1;
    }
    return 0;
}

/* ---- capabilities ------------------------------------------------------ */

/* podman's default set, which Docker's differs from only by a few that
 * need more care (NET_RAW, MKNOD, AUDIT_WRITE). Root in the container can
 * still chown, override file permissions, kill its own processes, bind
 * low ports, become another user and chroot. What it loses is all that
 * reaches the host: SYS_ADMIN (mount, and much else), MKNOD (a node for
 * your disk), SYS_MODULE, SYS_RAWIO, SYS_PTRACE, SYS_TIME, NET_ADMIN,
 * DAC_READ_SEARCH (open_by_handle_at, the "shocker" escape), SYSLOG... */
static const int kept[] = {
    CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FOWNER,  CAP_FSETID, CAP_KILL,       CAP_NET_BIND_SERVICE,
    CAP_SETFCAP, CAP_SETGID,       CAP_SETPCAP, CAP_SETUID, CAP_SYS_CHROOT,
};

enum { CAP_WORDS = 2, CAP_MAX = 64 };

static uint64_t kept_mask(void)
{
    uint64_t m = 0;

    for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
        m |= UINT64_C(1) << kept[i];
    return m;
}

static int drop_capabilities(void)
{
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
    struct __user_cap_data_struct data[CAP_WORDS] = {{0}};
    uint64_t keep = kept_mask();

    /* The bounding set limits what any later execve can grant: without
     * this, exec of a setuid-root or file-capability binary would give
     * the dropped capabilities back. The kernel knows up to
     * /proc/sys/kernel/cap_last_cap; past it, PR_CAPBSET_DROP says EINVAL. */
    for (int cap = 0; cap < CAP_MAX; cap++) {
        if (keep & (UINT64_C(1) << cap))
            continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
            if (errno == EINVAL)
                break;
            err_sys("drop capability %d from the bounding set", cap);
            return -1;
        }
    }
    /* Ambient capabilities survive exec even for non-root users. */
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
        err_sys("clear the ambient capabilities");
        return -1;
    }
    /* Effective and permitted: the kept set. Inheritable: none, since
     * inheritable capabilities can be regained through file capabilities
     * by programs that should never have them (CVE-2022-24769). */
    data[0].effective = data[0].permitted = (uint32_t)keep;
    data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
    if (syscall(SYS_capset, &hdr, data) < 0) {
        err_sys("capset");
        return -1;
    }
    return 0;
}

int security_drop_privileges(void)
{
    if (install_filter() < 0 || drop_capabilities() < 0)
        return -1;
    log_debug("seccomp filter on; capabilities cut to %zu", sizeof(kept) / sizeof(kept[0]));
    return 0;
}
