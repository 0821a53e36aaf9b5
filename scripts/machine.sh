#!/usr/bin/env bash
# scripts/machine.sh - describes the machine a results folder came from, so
# that numbers are never read without their context: CPU model and flags,
# cores, memory, kernel, frequency governor, time-stamp counter, compiler
# and flags, library versions and the git commit. Output is "key: value"
# lines; anything unreadable (a VM often hides the governor) says so.
#
#   bash scripts/machine.sh [BUILD_DIR]   (default build-release)
set -u
build=${1:-build-release}
cache="$build/CMakeCache.txt"
cache_get() { grep -m1 "^$1:" "$cache" 2>/dev/null | cut -d= -f2-; }
flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')
has() { case " $flags " in *" $1 "*) echo yes ;; *) echo no ;; esac; }

echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "host: $(hostname)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
echo "cpu_simd: $(for f in sse4_2 avx avx2 bmi2 avx512f avx512bw avx512vl avx512vbmi avx512_vbmi2 gfni; do
  [ "$(has $f)" = yes ] && printf '%s ' "$f"; done)"
echo "cpu_flags: ${flags:-unknown}"
echo "tsc: constant_tsc=$(has constant_tsc) nonstop_tsc=$(has nonstop_tsc) (tsc_ticks/symbol counts these ticks, not core cycles)"
echo "cpu_mhz: $(grep -m1 'cpu MHz' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
echo "cores: $(nproc) online, $(grep -c '^processor' /proc/cpuinfo 2>/dev/null) listed"
echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo 2>/dev/null)"
echo "kernel: $(uname -srm)"
echo "os: $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
gov=/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor
echo "governor: $([ -r $gov ] && cat $gov || echo 'not readable (no cpufreq: a VM or a fixed clock)')"
# The caller may pass the load it saw before it started building
# ($H278_LOAD_BEFORE): the build's own load says nothing about the machine.
echo "load_average: ${H278_LOAD_BEFORE:-$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)}"
echo "compiler: $(cache_get CMAKE_C_COMPILER) ($("$(cache_get CMAKE_C_COMPILER)" --version 2>/dev/null | head -1))"
echo "cxx_compiler: $(cache_get CMAKE_CXX_COMPILER) ($("$(cache_get CMAKE_CXX_COMPILER)" --version 2>/dev/null | head -1))"
echo "build_type: $(cache_get CMAKE_BUILD_TYPE)"
echo "c_flags: $(cache_get CMAKE_C_FLAGS) $(cache_get CMAKE_C_FLAGS_RELEASE) -std=c17 (no -march: SIMD code uses per-function target attributes)"
echo "cxx_flags: $(cache_get CMAKE_CXX_FLAGS) $(cache_get CMAKE_CXX_FLAGS_RELEASE) -std=c++17"
for p in libzstd1 libdeflate0 zlib1g libisal2 libbenchmark1debian hyperfine gnuplot-nox; do
  echo "package_$p: $(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo missing)"
done
# Local changes: to anything but results/ (a reference run rewrites its own
# committed folder while it runs).
echo "git_commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- . ':(exclude)results' 2>/dev/null ||
  echo ' (with local changes)')"
