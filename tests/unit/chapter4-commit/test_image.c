/* Unit tests for chapter4-commit's image_name_valid (image.h): a name
 * becomes images/NAME.tar and images/NAME/, so only
 * [a-z0-9][a-z0-9_.-]{0,127}, not ending in ".tar", may pass. */
#undef main /* this file's main is the test runner */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "image.h"

#include <stdio.h>
#include <string.h>

#define N(a)         ((int)(sizeof(a) / sizeof((a)[0])))
#define NAME_MAX_LEN 128 /* the {0,127} above, plus the first character */

static void test_valid_names(void **state)
{
    static const char *const names[] = {
        "busybox", "a",        "z",        "0",      "9",
        "9lives",  "my-image", "my_image", "v1.2.3", "a-",
        "a.",      "a_",       "a..b",     "a--b",   "a__b",
        "0-0",     "tar",      "xtar",     "x.tarx", "x.tar.gz",
        "x.ta",    "x_tar",    "x-tar",    "x.tar_", "abcdefghijklmnopqrstuvwxyz0123456789",
    };

    (void)state;
    for (int i = 0; i < N(names); i++) {
        if (!image_name_valid(names[i]))
            fail_msg("'%s' was refused", names[i]);
    }
}

static void test_invalid_names(void **state)
{
    static const char *const names[] = {
        "",
        /* the first character: a lower-case letter or a digit */
        "-a",
        "_a",
        ".a",
        ".",
        "..",
        ".tar",
        "-",
        "_",
        " a",
        /* upper case anywhere */
        "Busybox",
        "busyBox",
        "BUSYBOX",
        "A",
        "a.TAR",
        /* anything that would make another path */
        "a/b",
        "/a",
        "../x",
        "a/..",
        "a/",
        "./a",
        /* the rest of ASCII's punctuation, blanks and controls */
        "a b",
        "a:b",
        "a\tb",
        "a\n",
        "a*",
        "a?",
        "a@b",
        "a+b",
        "a~",
        "a,b",
        "a;b",
        "a=b",
        "a'b",
        "a\"b",
        "a\\b",
        "a$b",
        "a%b",
        "a!",
        "a#",
        "a&",
        "a(",
        "a)",
        "a[",
        "a]",
        "a{",
        "a}",
        "a|",
        "a<",
        "a>",
        "a^",
        "a`",
        "a\x7f",
        "a\x01",
        /* bytes past ASCII: not letters, whatever they spell in UTF-8 */
        "\xc3\xa9",
        "caf\xc3\xa9",
        "a\xff",
        "\x80",
        /* NAME.tar is the tarball of NAME: it cannot be a name itself */
        "x.tar",
        "busybox.tar",
        "0.tar",
        "a.b.tar",
        "a-.tar",
    };

    (void)state;
    for (int i = 0; i < N(names); i++) {
        if (image_name_valid(names[i]))
            fail_msg("'%s' (name %d) was accepted", names[i], i);
    }
}

/* 128 characters pass, 129 do not; whatever they are made of. */
static void test_length(void **state)
{
    static const char fill[] = {'a', '0', '-', '.', '_'};
    char name[NAME_MAX_LEN + 2];

    (void)state;
    for (int f = 0; f < N(fill); f++) {
        memset(name, fill[f], sizeof(name));
        name[0] = 'x';
        name[NAME_MAX_LEN] = '\0';
        if (!image_name_valid(name))
            fail_msg("a %d-character name of '%c' was refused", NAME_MAX_LEN, fill[f]);
        name[NAME_MAX_LEN] = fill[f];
        name[NAME_MAX_LEN + 1] = '\0';
        if (image_name_valid(name))
            fail_msg("a %d-character name of '%c' was accepted", NAME_MAX_LEN + 1, fill[f]);
    }
    /* At the limit, ".tar" is still refused. */
    memset(name, 'a', NAME_MAX_LEN);
    memcpy(name + NAME_MAX_LEN - 4, ".tar", 5);
    assert_int_equal(strlen(name), NAME_MAX_LEN);
    assert_false(image_name_valid(name));
    name[NAME_MAX_LEN - 1] = 'x';
    assert_true(image_name_valid(name));
}

/* A character that is refused is refused in every position after the
 * first, not only at the end. */
static void test_bad_character_anywhere(void **state)
{
    static const char bad[] = "/A :\\*\x80";
    char name[8];

    (void)state;
    for (size_t b = 0; b < sizeof(bad) - 1; b++) {
        for (int pos = 1; pos < 5; pos++) {
            snprintf(name, sizeof(name), "abcde");
            name[pos] = bad[b];
            if (image_name_valid(name))
                fail_msg("'%s' (byte 0x%02x at %d) was accepted", name, (unsigned char)bad[b], pos);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_names),
        cmocka_unit_test(test_invalid_names),
        cmocka_unit_test(test_length),
        cmocka_unit_test(test_bad_character_anywhere),
    };

    return cmocka_run_group_tests_name("chapter4-commit unit: image", tests, NULL, NULL);
}
