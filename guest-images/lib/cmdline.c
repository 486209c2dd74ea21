/* Reading a Multiboot command line ("<kernel path> key=value ..."): its space-separated words. */
#include "guest.h"

const char *next_word(const char **s, size_t *len)
{
    const char *p = *s;
    while (*p == ' ')
        p++;
    if (!*p)
        return NULL;
    const char *word = p;
    while (*p && *p != ' ')
        p++;
    *len = (size_t)(p - word);
    *s = p;
    return word;
}

int word_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && memcmp(s, w, n) == 0;
}
