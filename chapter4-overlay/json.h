/* The body of a JSON string, for the log's lines. Kept apart from log.c:
 * a reader of the log needs to know only that the message is escaped. */
#ifndef MYDOCKER_JSON_H
#define MYDOCKER_JSON_H

#include <stddef.h>

/* Writes src into dst as the body of a JSON string (no quotes around it).
 * Invalid UTF-8 becomes U+FFFD so the line stays valid JSON. Always
 * NUL-terminates; returns the length the whole escape needs, as snprintf. */
size_t json_escape(char *dst, size_t cap, const char *src);

#endif
