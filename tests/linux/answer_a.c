/* answer_a: exits 3. With answer_b (exits 4), the same layout and different code: a frame reused without its
 * translated code being dropped would run the other's. */
#include "t.h"
int main(int argc, char **argv, char **envp) { (void)argc; (void)argv; (void)envp; return 3; }
