/* mydocker's entry point: what every command needs first, then the
 * command table. The flags are parsed in cli.c. */
#include "cgroups.h"
#include "cli.h"
#include "image.h"
#include "log.h"
#include "mydocker.h"
#include "run.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmd_run(int argc, char **argv)
{
    struct run_opts opts;
    int ret = parse_run_args(argc, argv, &opts);

    if (ret != 0)
        return ret > 0 ? EXIT_SUCCESS : EXIT_MYDOCKER;
    /* Namespaces, mounts and cgroups all need CAP_SYS_ADMIN in the host. */
    if (geteuid() != 0) {
        err_msg("run needs root: try sudo %s", "mydocker run ...");
        return EXIT_MYDOCKER;
    }
    return run_container(&opts);
}

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
} commands[] = {
    {"run", cmd_run},
};

int main(int argc, char **argv)
{
    int cmd;

    /* What the caller left must not decide how a run ends. With SIGPIPE,
     * a closed stderr ("mydocker run ... 2>&1 | head") would kill us at
     * the next log line, between a setup step and its undoing. An ignored
     * SIGCHLD makes the kernel reap our children itself, and waitpid would
     * wait for a container that is already gone (ECHILD). A caller's umask
     * 077 would make the container's / and new files unreadable to its
     * other users. See signal(7), waitpid(2), umask(2). */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGCHLD, SIG_DFL);
    umask(022);

    cmd = parse_main_args(argc, argv);
    if (cmd <= 0)
        return cmd == 0 ? EXIT_SUCCESS : EXIT_MYDOCKER;
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[cmd], commands[i].name) != 0)
            continue;
        /* Before anything else, clean up after runs that were SIGKILLed. */
        if (geteuid() == 0) {
            cgroups_reap_stale();
            images_reap_stale();
        }
        return commands[i].fn(argc - cmd, argv + cmd);
    }
    err_msg("unknown command '%s' (see mydocker -help)", argv[cmd]);
    return EXIT_MYDOCKER;
}
