# scripts/corpora.sh - sourced by the test and bench scripts (from the
# repository root): exports H278_CORPORA, the folder holding the Canterbury
# corpora, unless it is already set. The default is ../shared/corpora beside
# the repository; a clone of a local repository (git clone DIR) that has no
# such folder beside it uses the one beside DIR. The scripts pass the folder
# to CMake (-DH278_CORPORA), which compiles it into the tests and h278-bench.
if [ -z "${H278_CORPORA:-}" ]; then
  H278_CORPORA=$PWD/../shared/corpora
  origin=$(git remote get-url origin 2>/dev/null || true)
  if [ ! -d "$H278_CORPORA" ] && [ -n "$origin" ] && [ -d "$origin/../shared/corpora" ]; then
    H278_CORPORA=$(cd "$origin/../shared/corpora" && pwd)
  fi
fi
export H278_CORPORA
