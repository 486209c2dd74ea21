/* answer_b: exits 4 (see answer_a). */
#include "t.h"
int main(int argc, char **argv, char **envp) { (void)argc; (void)argv; (void)envp; return 4; }
