/* keygen.c - see keygen.h. */
#include "coordinator/fleet/keygen.h"

#include <stdio.h>
#include <string.h>

#include "proto/curve.h"

/* Prints the keygen subcommand's help to out. */
static void keygen_usage(FILE *out)
{
    fprintf(out, "Usage: pgopt-coordinator keygen [--force] NAME...\n"
                 "\n"
                 "Writes a CURVE key pair per NAME: NAME.key (public and secret key, mode 0600)\n"
                 "and NAME.pub (public key). Give each worker its NAME.key (--curve-secret) and\n"
                 "the coordinators' .pub files (--curve-allow FILE|DIR); give each coordinator\n"
                 "its NAME.key and the workers' .pub (or one .pub shared by all workers).\n"
                 "\n"
                 "  -f, --force   replace existing files\n"
                 "  -h, --help    show this text\n"
                 "\n"
                 "Exit status: 0 written, 1 a file could not be written, 2 bad usage.\n");
}

int keygen_main(int argc, char **argv)
{
    int force = 0, names = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--force") == 0 || strcmp(argv[i], "-f") == 0)
            force = 1;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            keygen_usage(stdout);
            return 0;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "pgopt-coordinator keygen: unknown option '%s' (see --help)\n",
                    argv[i]);
            return 2;
        } else
            names++;
    }
    if (names == 0) {
        fprintf(stderr, "pgopt-coordinator keygen: give at least one NAME (see --help)\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-')
            continue;
        char secret[4096], public[4096];
        if (strlen(argv[i]) + 5 > sizeof secret) {
            fprintf(stderr, "pgopt-coordinator keygen: name too long: %.60s...\n", argv[i]);
            return 2;
        }
        snprintf(secret, sizeof secret, "%s.key", argv[i]);
        snprintf(public, sizeof public, "%s.pub", argv[i]);
        curve_keypair_t kp;
        err_t err = {{0}};
        int rc = curve_keypair_generate(&kp, &err) == 0
                     ? curve_keypair_write(&kp, secret, public, force, &err)
                     : -1;
        if (rc != 0) {
            memset(&kp, 0, sizeof kp);
            fprintf(stderr, "pgopt-coordinator keygen: %s\n", err.msg);
            return 1;
        }
        printf("%s  %s  public-key = %s\n", secret, public, kp.public_z85);
        memset(&kp, 0, sizeof kp);
    }
    return 0;
}
