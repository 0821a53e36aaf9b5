#!/usr/bin/env bash
# test_teaching.sh - docs/TEACHING.md cannot go stale: every command in its
# ```console blocks (lines starting with "$ ") runs, in order, in a folder
# holding the two Canterbury texts the lesson copies, with `h278` being the
# built program; it must exit 0, and every other line of the block up to
# the next command (whitespace at the ends aside; "..." skipped) must be a
# line, or part of a line, of what that command printed.
#
#   bash tests/test_teaching.sh PATH/TO/h278 SOURCE_DIR CORPORA_DIR
set -u
h278=$(realpath "$1")
doc=$(realpath "$2")/docs/TEACHING.md
corpora=$(realpath "$3")/canterbury
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" "$work/lesson"
ln -s "$h278" "$work/bin/h278"
cp "$corpora/alice29.txt" "$corpora/lcet10.txt" "$work/lesson/"
PATH="$work/bin:$PATH" python3 - "$doc" "$work/lesson" <<'PY'
import subprocess, sys
doc, folder = sys.argv[1], sys.argv[2]
commands, block, ok = [], None, True
for line in open(doc):
    line = line.rstrip("\n")
    if line.startswith("```console"):
        block = []
        continue
    if block is not None and line.startswith("```"):
        commands += block
        block = None
        continue
    if block is None:
        continue
    if line.startswith("$ "):
        block.append([line[2:], []])
    elif line.strip() and line.strip() != "..." and block:
        block[-1][1].append(line.strip())
if len(commands) < 10:
    print(f"FAILED: only {len(commands)} commands found in {doc}"); sys.exit(1)
for command, expected in commands:
    r = subprocess.run(command, shell=True, cwd=folder, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"FAILED: `{command}` exited {r.returncode}: {r.stderr.strip()}"); ok = False
        continue
    lines = [l.strip() for l in r.stdout.splitlines()]
    for want in expected:
        if not any(want in l for l in lines):
            print(f"FAILED: `{command}` did not print: {want}"); ok = False
print(f"{len(commands)} commands of TEACHING.md, {sum(len(e) for _, e in commands)} lines checked")
sys.exit(0 if ok else 1)
PY
rc=$?
[ "$rc" = 0 ] && echo "test_teaching: all checks passed"
exit "$rc"
