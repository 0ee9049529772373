#!/usr/bin/env python3
"""Scores a readyctl JSON report against gen-repo's manifest.

usage: score.py MANIFEST.json REPORT.json

Prints one JSON line: recall of the planted secrets (a secret counts when a
`secrets.*` check reports its path and line), and how many decoys and
ignored-directory secrets were reported (both must be 0). Exits 1 when recall
is below 1 or anything that must not be reported was.
"""
import json
import sys


def main() -> int:
    manifest = json.load(open(sys.argv[1]))
    report = json.load(open(sys.argv[2]))
    reported = set()
    secret_hits = set()
    ignored_paths = 0
    for check in report["checks"]:
        for finding in check.get("findings", []):
            path, line = finding.get("path"), finding.get("line")
            if path is None:
                continue
            reported.add((path, line))
            if check["id"].startswith("secrets."):
                secret_hits.add((path, line))
            if path.startswith("node_modules/"):
                ignored_paths += 1
    planted = [(s["path"], s["line"]) for s in manifest["secrets"]]
    found = [p for p in planted if p in secret_hits]
    missed = [p for p in planted if p not in secret_hits]
    decoys = [(d["path"], d["line"]) for d in manifest["decoys"] if (d["path"], d["line"]) in reported]
    ignored = [(s["path"], s["line"]) for s in manifest["ignored"] if (s["path"], s["line"]) in reported]
    result = {
        "planted": len(planted),
        "found": len(found),
        "recall": round(len(found) / len(planted), 4) if planted else 1.0,
        "missed": missed,
        "decoys_reported": len(decoys),
        "ignored_reported": len(ignored) + ignored_paths,
    }
    print(json.dumps(result))
    ok = not missed and not decoys and not ignored and not ignored_paths
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
