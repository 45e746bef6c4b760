#!/usr/bin/env python3
"""Generate data/crate-facts.toml: facts read from the crates' own sources.

    python3 tools/crate-facts.py            # resolve the seeds, vendor, scan, write, check
    python3 tools/crate-facts.py --check    # only compare the hand-written tables with
                                            # the committed data/crate-facts.toml

What it does:
  1. Builds a temporary Cargo project whose [dependencies] are the crates listed in
     tools/crate-facts-seeds.txt. Pinned seeds (`name@REQ`) become renamed dependencies
     (`x_<name>_<n> = { package = "name", version = "REQ" }`); pinned versions that cannot
     share one resolution with the others (same semver-compatible line, `links` conflicts)
     go into extra projects that `cargo vendor --sync` vendors together with the first.
     A seed that makes resolution fail is dropped and reported.
  2. `cargo vendor --versioned-dirs` of all of them into a temporary directory (never
     committed), and `cargo metadata` to rank the closure by number of dependents.
  3. `buck-lint data scan VENDOR_DIR` (the hidden subcommand, src/cli/data_scan.rs) and writes
     its TOML, under a header, to data/crate-facts.toml.
  4. Compares every claim of data/env-embedding-crates.toml and
     data/essential-buildscripts.toml with the facts for the same versions.

Python 3.11 standard library only. Needs `cargo` with access to crates.io. CI does not run
this script; it is run by hand to refresh the table.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "tools" / "crate-facts-seeds.txt"
OUT = REPO / "data" / "crate-facts.toml"
ENV_TABLE = REPO / "data" / "env-embedding-crates.toml"
ESSENTIAL_TABLE = REPO / "data" / "essential-buildscripts.toml"
MIN_CLOSURE = 500


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# seeds and resolution


def read_seeds(path: Path) -> tuple[list[str], list[tuple[str, str]]]:
    popular, pinned = [], []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if "@" in line:
            name, req = line.split("@", 1)
            pinned.append((name.strip(), req.strip()))
        else:
            popular.append(line)
    return popular, pinned


def dep_key(name: str, req: str) -> str:
    return "x_" + re.sub(r"[^A-Za-z0-9]", "_", f"{name}_{req}").strip("_")


def write_project(root: Path, package: str, deps: dict[str, str]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "src").mkdir(exist_ok=True)
    (root / "src" / "lib.rs").write_text("")
    lines = [
        "[package]",
        f'name = "{package}"',
        'version = "0.0.0"',
        'edition = "2021"',
        "publish = false",
        "",
        "[workspace]",
        "",
        "[dependencies]",
    ]
    lines += [f"{k} = {v}" for k, v in deps.items()]
    (root / "Cargo.toml").write_text("\n".join(lines) + "\n")
    lock = root / "Cargo.lock"
    if lock.exists():
        lock.unlink()


def resolves(root: Path, package: str, deps: dict[str, str]) -> tuple[bool, str]:
    write_project(root, package, deps)
    p = subprocess.run(
        # `cargo metadata` resolves (writing Cargo.lock) and also rejects one crate version
        # reached under two names (two pins that unify), which `generate-lockfile` accepts
        ["cargo", "metadata", "--format-version", "1", "--manifest-path", str(root / "Cargo.toml")],
        capture_output=True,
        text=True,
    )
    return p.returncode == 0, p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""


def resolve_main(root: Path, popular: list[str]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    deps = {n: '"*"' for n in popular}
    ok, _ = resolves(root, "crate-facts-seeds", deps)
    if ok:
        return deps, []
    log("resolution of all popular seeds failed; trying each alone")
    dropped = []
    for n in popular:
        ok, err = resolves(root, "crate-facts-seeds", {n: '"*"'})
        if not ok:
            dropped.append((n, err))
            del deps[n]
    ok, _ = resolves(root, "crate-facts-seeds", deps)
    if ok:
        return deps, dropped
    log("still failing together; adding the seeds one at a time")
    kept: dict[str, str] = {}
    for n, v in deps.items():
        ok, err = resolves(root, "crate-facts-seeds", {**kept, n: v})
        if ok:
            kept[n] = v
        else:
            dropped.append((n, err))
    resolves(root, "crate-facts-seeds", kept)
    return kept, dropped


def resolve_pinned(tmp: Path, pinned: list[tuple[str, str]]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Greedy: each pinned seed goes into the first extra project it resolves in."""
    projects: list[dict[str, str]] = []
    dropped = []
    for name, req in pinned:
        key, spec = dep_key(name, req), f'{{ package = "{name}", version = "{req}" }}'
        placed = False
        for i, deps in enumerate(projects):
            ok, _ = resolves(tmp / f"pinned-{i}", f"crate-facts-pinned-{i}", {**deps, key: spec})
            if ok:
                deps[key] = spec
                placed = True
                break
            resolves(tmp / f"pinned-{i}", f"crate-facts-pinned-{i}", deps)  # restore its lock
        if not placed:
            i = len(projects)
            ok, err = resolves(tmp / f"pinned-{i}", f"crate-facts-pinned-{i}", {key: spec})
            if ok:
                projects.append({key: spec})
            else:
                dropped.append((f"{name}@{req}", err))
                shutil.rmtree(tmp / f"pinned-{i}", ignore_errors=True)
        log(f"  pinned {name}@{req}: {'ok' if placed or len(projects) > i else 'dropped'}")
    return [tmp / f"pinned-{i}" for i in range(len(projects))], dropped


def metadata(manifest: Path) -> dict:
    p = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--manifest-path", str(manifest)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(p.stdout)


def closure_ranking(manifests: list[Path]) -> tuple[Counter, set[tuple[str, str]]]:
    """Dependents per crate name inside the resolved closures, and every (name, version)."""
    dependents: Counter = Counter()
    all_pkgs: set[tuple[str, str]] = set()
    for m in manifests:
        md = metadata(m)
        by_id = {p["id"]: p for p in md["packages"]}
        roots = set(md["workspace_members"])
        for node in md["resolve"]["nodes"]:
            if node["id"] in roots:
                continue
            p = by_id[node["id"]]
            all_pkgs.add((p["name"], p["version"]))
        seen_edges = set()
        for node in md["resolve"]["nodes"]:
            src = by_id[node["id"]]["name"]
            for dep in node["deps"]:
                dst = by_id[dep["pkg"]]["name"]
                if node["id"] in roots or (src, dst) in seen_edges:
                    continue
                seen_edges.add((src, dst))
                dependents[dst] += 1
    return dependents, all_pkgs


# ---------------------------------------------------------------------------------------
# versions (Cargo requirement syntax, enough for the tables)


def parse_version(v: str) -> tuple:
    core, _, pre = v.partition("+")[0].partition("-")
    nums = [int(x) for x in core.split(".")] + [0, 0, 0]
    return (nums[0], nums[1], nums[2], 0 if pre else 1, pre)


def _cmp_one(op: str, want: str, v: str) -> bool:
    parts = want.split(".")
    n = len(parts)
    w = parse_version(want if n == 3 else want + ".0" * (3 - n))
    x = parse_version(v)
    xs, ws = x[:3], w[:3]
    if x[3] == 0 and (xs != ws or w[3] == 1):
        return False  # a pre-release matches only a comparator with the same version and a pre-release
    if op in ("", "^"):
        if xs < ws:
            return False
        if ws[0] > 0 or n == 1:
            return xs[0] == ws[0]
        if ws[1] > 0 or n == 2:
            return xs[:2] == ws[:2]
        return xs == ws
    if op == "~":
        return xs >= ws and (xs[:2] == ws[:2] if n >= 2 else xs[0] == ws[0])
    if op == "=":
        return xs[: n] == ws[: n] and (n < 3 or x[3:] == w[3:])
    if op == ">=":
        return x >= w
    if op == ">":
        return xs[:n] > ws[:n] if n < 3 else x > w
    if op == "<":
        return x < w
    if op == "<=":
        return xs[:n] <= ws[:n] if n < 3 else x <= w
    raise ValueError(op)


def req_matches(req: str, v: str) -> bool:
    for c in req.split(","):
        c = c.strip()
        if c in ("*", ""):
            if parse_version(v)[3] == 0:
                return False
            continue
        m = re.fullmatch(r"(<=|>=|<|>|=|~|\^)?\s*([0-9][0-9A-Za-z.\-+]*)(\.\*)?", c)
        if not m:
            raise ValueError(f"unsupported requirement {req!r}")
        if not _cmp_one(m.group(1) or "", m.group(2), v):
            return False
    return True


# ---------------------------------------------------------------------------------------
# the check


def facts_by_version(facts: dict) -> dict[str, dict[str, dict]]:
    """name -> version -> entry (only exactly scanned versions)."""
    out: dict[str, dict[str, dict]] = {}
    for e in facts.get("crate", []):
        for v in e.get("scanned", []):
            out.setdefault(e["name"], {})[v] = e
    return out


# Claims the tables make in comments (entries removed after a read of the sources): the
# library of these versions does not use an env!() path as a value.
COMMENT_CLAIMS_NO_EMBED = [
    ("prost-build", "0.13.5"),
    ("rustix", "0.38.44"),
    ("mime_guess", "2.0.4"),
    ("mime_guess", "2.0.5"),
    ("bon", "3.1.1"),
]


def at_list(items: list) -> str:
    return ", ".join(f"{x['key']} {x['at']}" + (f" [features {','.join(x['features'])}]" if x.get("features") else "") for x in items)


def check(facts: dict) -> tuple[list[str], Counter]:
    fv = facts_by_version(facts)
    lines: list[str] = []
    tally: Counter = Counter()

    def say(verdict: str, text: str) -> None:
        tally[verdict] += 1
        lines.append(f"  {verdict:<13} {text}")

    env = tomllib.loads(ENV_TABLE.read_text())
    lines.append("data/env-embedding-crates.toml")
    for c in env.get("crate", []) + env.get("watch", []):
        name, req, feats = c["name"], c.get("versions", "*"), set(c.get("features", []))
        versions = sorted(fv.get(name, {}), key=parse_version)
        if not versions:
            say("not-scanned", f"{name} {req}: no version of {name} was scanned")
            continue
        for v in versions:
            e = fv[name][v]
            ev = f"(evidence from {e['evidence_version']})" if e.get("evidence_version", v) != v else ""
            emb = [x for x in e.get("embeds_path", []) if set(x.get("features", [])) <= feats]
            inc = [x["at"] for x in e.get("includes_out_dir", [])]
            if req_matches(req, v):
                if emb:
                    say("confirmed", f"{name} {v} (claim {req}, features {sorted(feats)}): embeds {at_list(emb)} {ev}")
                elif inc:
                    say("unconfirmable", f"{name} {v} (claim {req}): no env!() path used as a value; the library include!s OUT_DIR output at {', '.join(inc)} {ev} whose contents the extractor cannot see")
                else:
                    say("contradicted", f"{name} {v} (claim {req}): no env!(\"OUT_DIR\"/\"CARGO_MANIFEST_DIR\") used as a value in the library {ev}")
            else:
                if emb:
                    say("contradicted", f"{name} {v} is outside the claim {req} but embeds {at_list(emb)} {ev}")
                else:
                    say("confirmed", f"{name} {v} is outside the claim {req} and embeds no path {ev}")
    for name, v in COMMENT_CLAIMS_NO_EMBED:
        e = fv.get(name, {}).get(v)
        if e is None:
            say("not-scanned", f"{name} {v} (comment: removed, no embedding): not scanned")
        elif e.get("embeds_path"):
            say("contradicted", f"{name} {v} (comment: removed, no embedding): embeds {at_list(e['embeds_path'])}")
        else:
            say("confirmed", f"{name} {v} (comment: removed, no embedding): no env!() path used as a value")

    ess = tomllib.loads(ESSENTIAL_TABLE.read_text())
    lines.append("data/essential-buildscripts.toml")
    for c in ess.get("crate", []):
        req, claim = c.get("versions", "*"), c.get("has_build_script", True)
        if "pattern" in c:
            pat = c["pattern"]
            rx = re.compile("^" + re.escape(pat).replace(r"\*", ".*") + "$")
            # names with their own entry are decided by it (exact names before patterns)
            exact = {x["name"] for x in ess.get("crate", []) if "name" in x}
            hits = [
                (n, v, e)
                for n, vs in fv.items()
                if rx.match(n) and n not in exact
                for v, e in vs.items()
                if req_matches(req, v)
            ]
            yes = [f"{n} {v}" for n, v, e in hits if e.get("has_build_script") == claim]
            no = sorted(f"{n} {v}" for n, v, e in hits if e.get("has_build_script") != claim)
            verdict = "confirmed" if not no else "usually"
            say(verdict, f"pattern {pat} has_build_script={str(claim).lower()}: {len(yes)} of {len(hits)} scanned versions agree" + (f"; not: {', '.join(no)}" if no else ""))
            continue
        name = c["name"]
        versions = sorted((v for v in fv.get(name, {}) if req_matches(req, v)), key=parse_version)
        if not versions:
            say("not-scanned", f"{name} {req} has_build_script={str(claim).lower()}: no scanned version matches")
            continue
        for v in versions:
            e = fv[name][v]
            has = e.get("has_build_script", False)
            detail = f"build_script = {e['build_script']}" if has else ("`build = false`" if e.get("build_disabled") else "no build.rs")
            say("confirmed" if has == claim else "contradicted", f"{name} {v} (claim {req}) has_build_script={str(claim).lower()}: {detail}")
    for name in ess.get("harmless_when_disabled", []):
        for v in sorted(fv.get(name, {}), key=parse_version):
            e = fv[name][v]
            inc = [x["at"] for x in e.get("includes_out_dir", [])]
            say("confirmed" if not inc else "contradicted", f"harmless_when_disabled {name} {v}: " + (f"the library include!s OUT_DIR output at {', '.join(inc)}" if inc else "the library includes no OUT_DIR output"))
    # the comment on rustversion: its library include!s a file its build script writes
    for v in sorted(fv.get("rustversion", {}), key=parse_version):
        inc = [x["at"] for x in fv["rustversion"][v].get("includes_out_dir", [])]
        say("confirmed" if inc else "contradicted", f"rustversion {v} (comment: the library include!s build-script output): " + (", ".join(inc) if inc else "no include! of OUT_DIR"))
    for r in ess.get("runtime_loading", []):
        say("not-checked", f"runtime_loading {r['name']} feature {r['feature']}: the extractor does not read features")
    return lines, tally


# ---------------------------------------------------------------------------------------


def scan(vendor: Path, buck_lint: str | None) -> str:
    if buck_lint:
        cmd = [buck_lint]
    else:
        cmd = ["cargo", "run", "-q", "--manifest-path", str(REPO / "Cargo.toml"), "--bin", "buck-lint", "--"]
    p = subprocess.run(cmd + ["data", "scan", str(vendor)], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"buck-lint data scan failed:\n{p.stderr}")
    if p.stderr.strip():
        log(p.stderr.strip())
    return p.stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="only compare the tables with the committed facts")
    ap.add_argument("--seeds", type=Path, default=SEEDS)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--work-dir", type=Path, help="keep the projects and vendored crates here (default: a temporary directory, removed)")
    ap.add_argument("--reuse", action="store_true", help="with --work-dir: reuse its vendored crates instead of resolving again")
    ap.add_argument("--buck-lint", help="a buck-lint binary (default: `cargo run` of this repository)")
    args = ap.parse_args()

    if args.check:
        lines, tally = check(tomllib.loads(args.out.read_text()))
        print("\n".join(lines))
        print("summary: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
        return 1 if tally["contradicted"] else 0

    tmp_ctx = None
    if args.work_dir:
        work = args.work_dir.resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        tmp_ctx = tempfile.TemporaryDirectory(prefix="crate-facts-")
        work = Path(tmp_ctx.name)
    vendor = work / "vendor"
    state = work / "state.json"
    try:
        if args.reuse and state.exists() and vendor.is_dir():
            st = json.loads(state.read_text())
            log(f"reusing {vendor}")
        else:
            popular, pinned = read_seeds(args.seeds)
            log(f"{len(popular)} popular seeds, {len(pinned)} pinned versions")
            main_dir = work / "main"
            main_deps, dropped = resolve_main(main_dir, popular)
            log(f"main project: {len(main_deps)} seeds resolve together ({len(dropped)} dropped)")
            pinned_dirs, dropped_pinned = resolve_pinned(work, pinned)
            manifests = [main_dir / "Cargo.toml"] + [d / "Cargo.toml" for d in pinned_dirs]
            dependents, pkgs = closure_ranking(manifests)
            if len(pkgs) < MIN_CLOSURE:
                sys.exit(f"the closure has {len(pkgs)} crates, fewer than {MIN_CLOSURE}: add seeds")
            if vendor.exists():
                shutil.rmtree(vendor)
            cmd = ["cargo", "vendor", "--versioned-dirs", "--manifest-path", str(manifests[0])]
            for m in manifests[1:]:
                cmd += ["--sync", str(m)]
            log(f"cargo vendor of {len(pkgs)} crate versions ...")
            subprocess.run(cmd + [str(vendor)], check=True, stdout=subprocess.DEVNULL)
            st = {
                "popular": len(popular),
                "popular_kept": sorted(main_deps),
                "pinned": [f"{n}@{r}" for n, r in pinned],
                "dropped": [f"{n}: {e}" for n, e in dropped + dropped_pinned],
                "closure": len(pkgs),
                "names": len({n for n, _ in pkgs}),
                "top": [f"{n} ({c})" for n, c in dependents.most_common(30)],
                "cargo": subprocess.run(["cargo", "--version"], capture_output=True, text=True).stdout.strip(),
            }
            state.write_text(json.dumps(st, indent=1))
        body = scan(vendor, args.buck_lint)
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        head = [
            "# Facts read from the crates' own sources: GENERATED, do not edit by hand.",
            "#",
            f"# Generated {now} by `python3 tools/crate-facts.py` ({st['cargo']}):",
            f"#   seeds: tools/crate-facts-seeds.txt, {st['popular']} widely used crates at their newest",
            f"#   versions ({len(st['popular_kept'])} resolved together) and {len(st['pinned'])} pinned versions of the",
            "#   crates data/env-embedding-crates.toml and data/essential-buildscripts.toml describe;",
            f"#   `cargo vendor --versioned-dirs` of the resolved closure: {st['closure']} crate versions,",
            f"#   {st['names']} crate names; then `buck-lint data scan` of every vendored crate.",
        ]
        if st["dropped"]:
            head.append("#   seeds dropped because they made resolution fail:")
            head += [f"#     {d}" for d in st["dropped"]]
        head += [
            "#   most depended-on inside the closure (dependents):",
            "#     " + ", ".join(st["top"][:15]),
            "#     " + ", ".join(st["top"][15:30]),
            "#",
            "# Refresh: python3 tools/crate-facts.py   (needs cargo and crates.io; CI never runs it)",
            "# Check the hand-written tables against it: python3 tools/crate-facts.py --check",
            "#",
            "# One [[crate]] per crate name and run of scanned versions with the same facts:",
            "#   versions          requirement covering those scanned versions (\"=1.2.3\", \">=0.22.0, <=0.26.1\");",
            "#                     versions between them that were not scanned are assumed alike",
            "#   scanned           the versions actually read",
            "#   evidence_version  the version the file:line evidence below is from (the newest)",
            "#   has_build_script  `package.build` is a path, or absent with a build.rs at the root",
            "#   build_script      that file; build_disabled: `build = false`",
            "#   links, proc_macro from Cargo.toml; library = false: no lib target",
            "#   embeds_path       env!/option_env!(\"OUT_DIR\" | \"CARGO_MANIFEST_DIR\") used as a value in the",
            "#                     library (not inside include!/include_str!/include_bytes!, not cfg(test)),",
            "#                     with the features its cfg requires; cfg_gated: also under another cfg",
            "#   includes_out_dir  env!(\"OUT_DIR\") inside include!/include_str!/include_bytes! (contents compiled in)",
            "#   cargo_env         env!/option_env!(\"CARGO_*\") keys the library reads",
            "",
        ]
        args.out.write_text("\n".join(head) + "\n" + body)
        log(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB)")
        lines, tally = check(tomllib.loads(args.out.read_text()))
        print("\n".join(lines))
        print("summary: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
        return 0
    finally:
        if tmp_ctx is not None:
            tmp_ctx.cleanup()


if __name__ == "__main__":
    sys.exit(main())
