/* mydocker's command line: the global flags and "run"'s flags. */
#ifndef MYDOCKER_CLI_H
#define MYDOCKER_CLI_H

#include "run.h"

/* Parses the flags before the command (-log-level, -help) and
 * $MYDOCKER_LOG. Returns the index of the command in argv, 0 when the
 * help was printed, or -1 after printing what is wrong. */
int parse_main_args(int argc, char **argv);

/* Fills opts from "run"'s arguments (argv[0] is "run"). Returns 0, 1 when
 * --help was printed, or -1 after printing what is wrong. */
int parse_run_args(int argc, char **argv, struct run_opts *opts);

#endif
