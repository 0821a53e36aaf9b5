#!/usr/bin/env bash
# scripts/machine.sh - describes the machine a results folder came from:
# CPU model and flags, cores, memory, kernel, governor, compiler and flags,
# library versions and the git commit. Output is "key: value" lines.
#
#   bash scripts/machine.sh BUILD_DIR
set -u
build=${1:-build-release}
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "host: $(hostname)"
echo "cpu: ${cpu:-unknown}"
echo "cpu_flags: $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2- | tr ' ' '\n' | grep -E '^(avx2|bmi2|avx512f|avx512bw|avx512vl|avx512vbmi|avx512vbmi2|gfni)$' | tr '\n' ' ')"
echo "cores: $(nproc)"
echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
echo "kernel: $(uname -sr)"
gov=/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor
echo "governor: $([ -r $gov ] && cat $gov || echo 'not readable (VM)')"
echo "compiler: $(grep -m1 '^CMAKE_C_COMPILER:' "$build/CMakeCache.txt" 2>/dev/null | cut -d= -f2) ($(cc --version | head -1))"
echo "cxx_compiler: $(c++ --version | head -1)"
echo "build_type: $(grep -m1 '^CMAKE_BUILD_TYPE:' "$build/CMakeCache.txt" 2>/dev/null | cut -d= -f2)"
echo "c_flags: $(grep -m1 '^CMAKE_C_FLAGS_RELEASE:' "$build/CMakeCache.txt" 2>/dev/null | cut -d= -f2) -std=c17 (no -march: SIMD code uses per-function target attributes)"
for p in libzstd1 libdeflate0 zlib1g libisal2 libbenchmark1debian hyperfine; do
  echo "package_$p: $(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo missing)"
done
echo "git_commit: $(git rev-parse HEAD 2>/dev/null)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
