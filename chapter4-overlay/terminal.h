/* The terminal hand-over of a -ti run, in one place: the container takes
 * the terminal at its start, mydocker takes it back at the end. */
#ifndef MYDOCKER_TERMINAL_H
#define MYDOCKER_TERMINAL_H

/* In the child, with -ti: a process group of its own, in the terminal's
 * foreground. 0, or -1 with errno set. Nothing to do without a terminal. */
int terminal_take(void);

/* In the child, without -ti: a session of its own, with no controlling
 * terminal, and /dev/null as stdin. 0, or -1 with errno set. */
int terminal_detach(void);

/* In mydocker, after a -ti run: its own process group back in the
 * foreground. */
void terminal_restore(void);

#endif
