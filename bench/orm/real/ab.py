#!/usr/bin/env python3
"""bench/orm/real/ab.py - two or more builds' analysis over parsing alone, in
the same period, on the packages run.sh unpacked.

    ab.py [-n N] [-p PACKAGE]... LABEL=BUILD_DIR [LABEL=BUILD_DIR ...]

Per package, N rounds; in each round every build runs pgopt-bench-orm-real
--parse-only, then the analysis, one after the other (the builds
alternate, so a change of load reaches them all alike). Kept per build and
mode: the fastest wall time (analysis_s) and the lowest CPU time
(analysis_cpu_s, when the build reports it). Prints per package and over
all of them each build's wall and CPU ratio (analysis over parsing alone)
and peak RSS over the source (MB per MB, as score.py), then uptime.
Per package also the median of the per-round CPU ratios (each round's
analysis over the same round's parsing alone, run back to back) with
their quartiles: `med 1.53x [1.51-1.55]`. The ratio of the fastest runs
moved by up to 0.1x between runs on an idle machine, the parse-only floor
as much as the analysis (bench/RESULTS-orm.md, "End of the second day");
a median over many rounds of pairs taken together is the steadier
measure (use -n 21 or more).

On a shared machine the wall ratio of one run moves with the load by up to
0.4x; the CPU ratio by a few hundredths: compare builds by the CPU column,
and by the wall one only at a low load. run.sh must have unpacked the
packages first (PGOPT_ORM_REAL_CACHE as there).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def die(msg):
    print("ab.py: " + msg, file=sys.stderr)
    sys.exit(2)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=3, help="rounds per package (default 3)")
    ap.add_argument("-p", dest="packages", action="append", metavar="PACKAGE",
                    help="a package of packages.lock (repeat; default: all of them)")
    ap.add_argument("builds", nargs="+", metavar="LABEL=BUILD_DIR")
    a = ap.parse_args()
    builds = []
    for b in a.builds:
        label, sep, path = b.partition("=")
        if not sep or not label:
            die("%r: want LABEL=BUILD_DIR" % b)
        binary = os.path.join(path, "bin", "pgopt-bench-orm-real")
        if not os.access(binary, os.X_OK):
            die("%s: not built" % binary)
        builds.append((label, binary))
    pkgs = a.packages or [l.split()[0] for l in open(os.path.join(here, "packages.lock"))
                          if l.strip() and not l.startswith("#")]
    cache = os.environ.get("PGOPT_ORM_REAL_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "pgopt-orm-real")
    uptime = lambda: subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(uptime(), flush=True)
    tot = {}
    with tempfile.TemporaryDirectory(prefix="pgopt-orm-ab.") as out:
        for p in pkgs:
            tree = os.path.join(cache, "src", p, "usr/lib/python3/dist-packages")
            if not os.path.isdir(tree):
                die("%s: not unpacked (run bench/orm/real/run.sh first)" % tree)
            best = {}
            rounds = {}  # label -> per-round CPU ratios
            for _ in range(a.n):
                for label, binary in builds:
                    for mode in ("parse", "analysis"):
                        f = os.path.join(out, "%s.%s.json" % (label, mode))
                        args = [binary] + (["--parse-only"] if mode == "parse" else []) + [tree, f]
                        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
                        d = json.load(open(f))
                        w, c = d["analysis_s"], d.get("analysis_cpu_s")
                        k = (label, mode)
                        bw, bc, _ = best.get(k, (None, None, None))
                        rss = d["rss_peak_kb"] / 1024 / (d["bytes"] / 1e6) if d["bytes"] else 0
                        best[k] = (w if bw is None else min(bw, w),
                                   c if bc is None or c is None else min(bc, c), rss)
                        if mode == "parse":
                            parse_cpu = c
                        elif c is not None and parse_cpu:
                            rounds.setdefault(label, []).append(c / parse_cpu)
            line = "%-18s" % p
            for label, _ in builds:
                (wa, ca, rss), (wp, cp, _) = best[(label, "analysis")], best[(label, "parse")]
                cpu = "%.2fx" % (ca / cp) if ca is not None and cp else "-"
                line += " | %s %.2fx wall %s cpu RSS/src %.1fx" % (label, wa / wp, cpu, rss)
                r = sorted(rounds.get(label, []))
                if r:
                    q = lambda f: r[min(len(r) - 1, int(f * (len(r) - 1) + 0.5))]
                    line += " med %.2fx [%.2f-%.2f]" % (q(0.5), q(0.25), q(0.75))
                t = tot.setdefault(label, [0.0, 0.0, 0.0, 0.0])
                t[0] += wa
                t[1] += wp
                t[2] += ca if ca is not None else float("nan")
                t[3] += cp if cp is not None else float("nan")
            print(line, flush=True)
    line = "%-18s" % "all"
    for label, _ in builds:
        t = tot[label]
        cpu = "%.2fx" % (t[2] / t[3]) if t[3] == t[3] and t[3] else "-"  # nan: a build without CPU times
        line += " | %s %.2fx wall %s cpu" % (label, t[0] / t[1], cpu)
    print(line)
    print(uptime())


if __name__ == "__main__":
    main()
