/*
 * keygen.h - `pgopt-coordinator keygen`: writes CURVE key pairs for the fleet.
 *
 *   pgopt-coordinator keygen [--force] NAME...
 *
 * For each NAME writes NAME.key (public + secret key, mode 0600) and
 * NAME.pub (public key, mode 0644) in the format of proto/curve.h. Workers
 * get their own NAME.key (--curve-secret) and the coordinators' *.pub files
 * (--curve-allow); coordinators get their NAME.key and the workers' *.pub.
 */
#ifndef PGOPT_COORDINATOR_KEYGEN_H
#define PGOPT_COORDINATOR_KEYGEN_H

/* argv[0] is "keygen". Returns the process exit status (0, 1 error, 2 usage). */
int keygen_main(int argc, char **argv);

#endif
