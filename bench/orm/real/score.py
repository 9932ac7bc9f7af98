#!/usr/bin/env python3
"""bench/orm/real/score.py - scores the ORM code analysis on real packages.

    score.py --results DIR --labels labels.tsv --recall recall.tsv
             [--sample sample.tsv] [PACKAGE...]

DIR holds, per package, PACKAGE.json (pgopt-bench-orm-real, the analysis)
and PACKAGE.parse.json (the same with --parse-only). Printed:
  - per package: files, lines, MB, files skipped, analysis and parse-only
    time and their ratio, peak RSS and RSS per MB of Python (the process's
    and the analysis's own), parses per file, findings by kind;
  - precision per package and overall: tp / labelled findings (labels.tsv:
    package, file, line, kind, verdict tp|fp, rewrite ok|unsafe|none,
    reason); findings without a label are listed as unlabelled, labels
    without a finding as stale;
  - recall on the hand-read sample (recall.tsv: package, path, line, kind,
    note): a problem counts as found when a finding of the same file
    covers its line (the finding's line, or a line of its `original`);
  - unsafe rewrites: findings with `optimized` code whose label says
    unsafe;
  - snippets that do not parse: `optimized` code that Python's own parser
    (ast) rejects after removing the common indentation - a check
    independent of the tree-sitter one the analysis applies itself.
The last line is a summary (`overall: ...`) that tests compare.
Malformed input stops with an error naming the file and line.
"""
import argparse
import ast
import collections
import json
import os
import sys
import textwrap


def die(msg):
    sys.stderr.write("score.py: %s\n" % msg)
    sys.exit(2)


def read_tsv(path, ncols, what):
    rows = []
    if not path:
        return rows
    try:
        fh = open(path, encoding="utf-8")
    except OSError as e:
        die("%s: %s" % (path, e.strerror))
    with fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < ncols:
                die("%s:%d: %s needs %d tab-separated columns, got %d" % (path, n, what, ncols, len(cols)))
            rows.append((n, cols))
    return rows


def load_json(path):
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except OSError as e:
        die("%s: %s" % (path, e.strerror))
    except ValueError as e:
        die("%s: not JSON: %s" % (path, e))


def parses(code):
    try:
        ast.parse(textwrap.dedent(code))
        return True
    except SyntaxError:
        return False


def excluded_reason(reason):
    """Left out on purpose (not runtime code, --code-exclude), not skipped."""
    return reason.startswith("not runtime code") or reason.startswith("excluded by")


def span(finding):
    line = int(finding.get("line") or 0)
    n = (finding.get("original") or "").count("\n") + 1
    return line, line + n - 1


def ratio(a, b):
    return "%.3f (%d/%d)" % (a / b, a, b) if b else "n/a (0/0)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--labels", required=True)
    ap.add_argument("--recall", required=True)
    ap.add_argument("--sample")
    ap.add_argument("packages", nargs="*")
    a = ap.parse_args()

    pkgs = a.packages or sorted(
        f[:-5] for f in os.listdir(a.results) if f.endswith(".json") and not f.endswith(".parse.json"))
    if not pkgs:
        die("%s: no PACKAGE.json results" % a.results)
    results = {}
    for p in pkgs:
        d = load_json(os.path.join(a.results, p + ".json"))
        for k in ("files", "lines", "bytes", "analysis_s", "rss_peak_kb", "rewrites"):
            if k not in d:
                die("%s.json: no '%s'" % (os.path.join(a.results, p), k))
        pp = os.path.join(a.results, p + ".parse.json")
        d["parse"] = load_json(pp) if os.path.exists(pp) else None
        results[p] = d

    labels = {}
    for n, c in read_tsv(a.labels, 7, "a label"):
        pkg, f, line, kind, verdict, rewrite = c[:6]
        if verdict not in ("tp", "fp"):
            die("%s:%d: verdict must be tp or fp, not %r" % (a.labels, n, verdict))
        if rewrite not in ("ok", "unsafe", "none"):
            die("%s:%d: rewrite must be ok, unsafe or none, not %r" % (a.labels, n, rewrite))
        if not line.isdigit():
            die("%s:%d: line must be a number, not %r" % (a.labels, n, line))
        labels[(pkg, f, int(line), kind)] = (verdict, rewrite, c[6])
    problems = []
    for n, c in read_tsv(a.recall, 5, "a problem"):
        if not c[2].isdigit():
            die("%s:%d: line must be a number, not %r" % (a.recall, n, c[2]))
        problems.append((c[0], c[1], int(c[2]), c[3], c[4]))
    sample = [tuple(c[:2]) for _, c in read_tsv(a.sample, 2, "a sampled module")] if a.sample else []

    # -- cost -----------------------------------------------------------
    # RSS/src: the process's peak over the source size; ana/src: what the
    # analysis added to the peak after collecting the files (the process
    # and the collected text are 8-20 MB before it starts, more than 10x
    # the smaller packages by themselves); parses: tree-sitter parses per
    # file (1 for parsing alone; the analysis parses each file again for
    # its scan unless its tree was cached, and helper modules it follows).
    # cpu: the same ratio in CPU time (analysis_cpu_s), when both runs
    # report it: on a shared machine wall time includes waiting for a core
    print("%-18s %6s %8s %6s %5s %5s %9s %8s %6s %6s %8s %7s %7s %6s %8s  %s" % (
        "package", "files", "lines", "MB", "excl", "skip", "analysis", "parse", "ratio", "cpu", "peakRSS",
        "RSS/src", "ana/src", "parses", "findings", "by kind"))
    tot = collections.Counter()
    for p in pkgs:
        d = results[p]
        mb = d["bytes"] / 1e6
        kinds = collections.Counter(r.get("kind", "?") for r in d["rewrites"])
        parse_s = d["parse"]["analysis_s"] if d["parse"] else None
        reasons = d.get("skipped_reasons", {})
        excl = sum(v for k, v in reasons.items() if excluded_reason(k))
        ana = ((d["rss_peak_kb"] - d["rss_before_kb"]) / 1024) / mb if mb and "rss_before_kb" in d else None
        cpu_a = d.get("analysis_cpu_s")
        cpu_p = d["parse"].get("analysis_cpu_s") if d["parse"] else None
        print("%-18s %6d %8d %6.1f %5d %5d %8.2fs %7s %6s %6s %6.0fMB %6.1fx %7s %6s %8d  %s" % (
            p, d["files"], d["lines"], mb, excl, sum(reasons.values()) - excl, d["analysis_s"],
            "%.2fs" % parse_s if parse_s is not None else "-",
            "%.2fx" % (d["analysis_s"] / parse_s) if parse_s else "-",
            "%.2fx" % (cpu_a / cpu_p) if cpu_a is not None and cpu_p else "-",
            d["rss_peak_kb"] / 1024, (d["rss_peak_kb"] / 1024) / mb if mb else 0,
            "%.1fx" % ana if ana is not None else "-",
            "%.2f" % (d["parses"] / d["files"]) if d.get("parses") is not None and d["files"] else "-",
            len(d["rewrites"]), ", ".join("%s %d" % kv for kv in sorted(kinds.items())) or "-"))
        if ana is not None:
            tot["ana_ratio_max"] = max(tot["ana_ratio_max"], ana)
        tot["files"] += d["files"]
        tot["lines"] += d["lines"]
        tot["bytes"] += d["bytes"]
        tot["analysis"] += d["analysis_s"]
        tot["parse"] += parse_s or 0
        if cpu_a is not None and cpu_p:
            tot["cpu_a"] += cpu_a
            tot["cpu_p"] += cpu_p
        else:
            tot["cpu_missing"] += 1
        tot["findings"] += len(d["rewrites"])
        tot["rss"] = max(tot["rss"], d["rss_peak_kb"])
        tot["rss_ratio_max"] = max(tot["rss_ratio_max"], (d["rss_peak_kb"] / 1024) / mb if mb else 0)
    print("%-18s %6d %8d %6.1f %5s %5s %8.2fs %6.2fs %6s %6s %6.0fMB %6.1fx %6.1fx %6s %8d  (RSS: largest; "
          "RSS/src, ana/src: worst)" % (
              "total", tot["files"], tot["lines"], tot["bytes"] / 1e6, "", "", tot["analysis"], tot["parse"],
              "%.2fx" % (tot["analysis"] / tot["parse"]) if tot["parse"] else "-",
              "%.2fx" % (tot["cpu_a"] / tot["cpu_p"]) if tot["cpu_p"] and not tot["cpu_missing"] else "-",
              tot["rss"] / 1024,
              tot["rss_ratio_max"], tot["ana_ratio_max"], "", tot["findings"]))
    skipped = collections.Counter()
    for p in pkgs:
        skipped.update(results[p].get("skipped_reasons", {}))
    excluded = {k: v for k, v in skipped.items() if excluded_reason(k)}
    skipped = {k: v for k, v in skipped.items() if not excluded_reason(k)}
    if excluded:
        print("files left out (excl): " + ", ".join("%s %d" % kv for kv in sorted(excluded.items())))
    if skipped:
        print("files skipped (skip): " + ", ".join("%s %d" % kv for kv in sorted(skipped.items())))
    for p in pkgs:
        for note in results[p].get("notes", []):
            if "skipped" in note or "excluded" in note:
                print("%s: %s" % (p, note))

    # -- precision ------------------------------------------------------
    print("\nprecision (tp / labelled findings)")
    seen = set()
    all_tp = all_lab = full_tp = full_lab = 0
    full = []
    unlabelled, unsafe, unparsable = [], [], []
    for p in pkgs:
        tp = lab = 0
        nunl = len(unlabelled)
        for r in results[p]["rewrites"]:
            key = (p, r.get("file"), int(r.get("line") or 0), r.get("kind"))
            seen.add(key)
            if r.get("optimized") and not parses(r["optimized"]):
                unparsable.append(key)
            lab_ = labels.get(key)
            if not lab_:
                unlabelled.append(key)
                continue
            lab += 1
            tp += lab_[0] == "tp"
            if r.get("optimized") and lab_[1] == "unsafe":
                unsafe.append(key + (lab_[2],))
        all_tp += tp
        all_lab += lab
        if len(unlabelled) == nunl:
            full.append(p)
            full_tp += tp
            full_lab += lab
        if results[p]["rewrites"]:
            print("  %-18s %s%s" % (p, ratio(tp, lab), "" if len(unlabelled) == nunl else
                                    "  (%d unlabelled)" % (len(unlabelled) - nunl)))
    print("  %-18s %s" % ("overall", ratio(all_tp, all_lab)))
    print("  %-18s %s over %d packages with every finding labelled: %s" % (
        "fully labelled", ratio(full_tp, full_lab), len(full), ", ".join(full)))
    stale = sorted(k for k in labels if k[0] in results and k not in seen)
    for k in unlabelled:
        print("  unlabelled: %s %s:%d %s" % k)
    for k in stale:
        print("  stale label (no such finding now): %s %s:%d %s" % k)

    # -- recall ---------------------------------------------------------
    print("\nrecall on the hand-read sample (%d modules, %d problems)" % (len(sample), len(problems)))
    by_kind = collections.defaultdict(lambda: [0, 0])
    found = 0
    sampled = set(sample)
    for pkg, path, line, kind, note in problems:
        if sample and (pkg, path) not in sampled:
            die("%s: %s %s is not in the sample" % (a.recall, pkg, path))
        hit = pkg in results and any(
            r.get("file") == path and span(r)[0] <= line <= span(r)[1] for r in results[pkg]["rewrites"])
        found += hit
        by_kind[kind][0] += hit
        by_kind[kind][1] += 1
    for kind in sorted(by_kind):
        print("  %-20s %s" % (kind, ratio(*by_kind[kind])))
    print("  %-20s %s" % ("all", ratio(found, len(problems))))

    print("\nunsafe rewrites (labelled): %d" % len(unsafe))
    for k in unsafe:
        print("  %s %s:%d %s - %s" % k)
    print("optimized snippets that do not parse (Python's ast): %d" % len(unparsable))
    for k in unparsable:
        print("  %s %s:%d %s" % k)
    print("overall: precision %s, recall %s, unsafe %d, unparsable %d, unlabelled %d, stale %d" % (
        ratio(all_tp, all_lab), ratio(found, len(problems)), len(unsafe), len(unparsable),
        len(unlabelled), len(stale)))


if __name__ == "__main__":
    main()
