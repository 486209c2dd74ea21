/* runner ROUNDS PATH...: fork+execve of each PATH in turn, ROUNDS times; a path whose name starts with 'a' must exit
 * 3, with 'b' 4. Prints the mismatches and how many runs there were. */
#include "t.h"

int main(int argc, char **argv, char **envp) {
    int rounds = 0;
    for (const char *s = argv[1]; *s; s++) rounds = rounds * 10 + (*s - '0');
    int runs = 0, bad = 0;
    for (int r = 0; r < rounds; r++) {
        for (int i = 2; i < argc; i++) {
            char *args[] = {argv[i], NULL};
            int pid = (int)sys0(SYS_fork);
            if (pid == 0) { sys3(SYS_execve, argv[i], args, envp); sys1(SYS_exit, 99); }
            int st = 0;
            sys4(SYS_wait4, pid, &st, 0, 0);
            const char *name = argv[i] + 1;
            int want = name[0] == 'a' ? 3 : 4;
            runs++;
            if (st != want << 8) { bad++; printf("%s exited with status %x, want %d\n", argv[i], st, want); }
        }
    }
    printf("%d runs, %d wrong\n", runs, bad);
    return bad != 0;
}
