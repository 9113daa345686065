#include "cg_layout.h"

#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void unescape_octal(char *s)
{
    char *out = s;

    for (; *s; s++) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
            s[3] >= '0' && s[3] <= '7') {
            *out++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
            s += 3;
        } else {
            *out++ = *s;
        }
    }
    *out = '\0';
}

static int controller_index(const char *name)
{
    for (int c = 0; c < CG_NCONTROLLERS; c++) {
        if (strcmp(name, cg_controller_names[c]) == 0)
            return c;
    }
    return -1;
}

/* One mountinfo line: "36 35 0:31 / /sys/fs/cgroup/cpu rw,relatime shared:9 - cgroup cgroup
 * rw,cpu". Optional fields come before the lone "-"; see proc(5). */
static void layout_parse_line(char *line, struct cg_layout *layout)
{
    char *fields[6] = {0};
    char *save = NULL;
    char *tok = strtok_r(line, " ", &save);
    char *fstype;
    char *superopts;
    int n = 0;

    while (tok && n < 5) {
        fields[n++] = tok;
        tok = strtok_r(NULL, " ", &save);
    }
    while (tok && strcmp(tok, "-") != 0)
        tok = strtok_r(NULL, " ", &save);
    fstype = strtok_r(NULL, " ", &save);
    (void)strtok_r(NULL, " ", &save); /* source */
    superopts = strtok_r(NULL, " ", &save);
    if (n < 5 || !fstype)
        return;
    unescape_octal(fields[4]);
    if (strcmp(fstype, "cgroup2") == 0) {
        if (layout->v2[0] == '\0')
            snprintf(layout->v2, sizeof(layout->v2), "%s", fields[4]);
    } else if (strcmp(fstype, "cgroup") == 0 && superopts) {
        char *osave = NULL;

        for (char *opt = strtok_r(superopts, ",", &osave); opt; opt = strtok_r(NULL, ",", &osave)) {
            int c = controller_index(opt);

            if (c >= 0 && layout->v1[c][0] == '\0')
                snprintf(layout->v1[c], sizeof(layout->v1[c]), "%s", fields[4]);
        }
    }
}

int cg_layout_parse(const char *mountinfo, struct cg_layout *layout)
{
    char *copy = strdup(mountinfo);
    char *save = NULL;

    if (!copy)
        return -1;
    memset(layout, 0, sizeof(*layout));
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        layout_parse_line(line, layout);
    free(copy);
    return 0;
}

int cg_layout_read_v2(struct cg_layout *layout)
{
    char path[PATH_MAX + 32];
    char buf[512];
    char *save = NULL;

    if (layout->v2[0] == '\0')
        return 0;
    snprintf(path, sizeof(path), "%s/cgroup.controllers", layout->v2);
    if (read_text(path, buf, sizeof(buf)) < 0) {
        err_sys("read %s", path);
        return -1;
    }
    for (char *tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
        int c = controller_index(tok);

        if (c >= 0)
            layout->in_v2[c] = true;
    }
    return 0;
}

int cg_layout_read_mounts(struct cg_layout *layout)
{
    char *mountinfo = NULL;
    size_t len = 0;
    FILE *f = fopen("/proc/self/mountinfo", "re");
    int ret;

    /* A host with thousands of mounts has a long mountinfo: read it all. */
    if (!f || getdelim(&mountinfo, &len, '\0', f) < 0) {
        err_sys("read /proc/self/mountinfo");
        if (f)
            fclose(f);
        free(mountinfo);
        return -1;
    }
    fclose(f);
    ret = cg_layout_parse(mountinfo, layout);
    free(mountinfo);
    return ret;
}

int cg_layout_detect(struct cg_layout *layout)
{
    return cg_layout_read_mounts(layout) < 0 ? -1 : cg_layout_read_v2(layout);
}

const char *cg_layout_name(const struct cg_layout *layout)
{
    bool v1 = false;

    for (int c = 0; c < CG_NCONTROLLERS; c++)
        v1 = v1 || layout->v1[c][0] != '\0';
    if (v1)
        return layout->v2[0] ? "hybrid" : "v1";
    return layout->v2[0] ? "v2" : "none";
}
