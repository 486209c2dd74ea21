/* hello: the first Linux program Popek runs: prints its arguments, an environment variable and two auxv entries. */
#include "t.h"

int main(int argc, char **argv, char **envp) {
    printf("hello from i386 Linux, pid %d\n", (int)sys0(SYS_getpid));
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    for (char **e = envp; *e; e++) if (!strncmp(*e, "GREETING=", 9)) printf("env %s\n", *e);
    printf("AT_PAGESZ=%u\n", getauxval(6));
    printf("AT_EXECFN=%s\n", (const char *)getauxval(31));
    sys1(51, 0);   /* acct, which Popek does not serve: --stats lists it by name */
    return argc > 1 && !strcmp(argv[1], "fail") ? 3 : 0;
}
