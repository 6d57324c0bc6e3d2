#!/usr/bin/env bash
# Builds the GPU-server distribution from a packaged app module (Maven runs this: app/pom.xml, execution
# "distribution"; `mvn -B -ntp -Pdist -DskipTests package` at the root). A GPU server has only an NVIDIA
# driver (research/gpu-feasibility.md), so the tree carries everything else:
#   runtime/             a jlinked Java runtime from JDK (modules found by jdeps over the shipped jars)
#   lib/                 the engine jars and their libraries, natives cut as contents.txt says
#   native/libcudnn.so.8 the cuDNN 8 ABI shim over cuDNN 9 (gpu module)
#   conf/jvm.options     the JVM flags of the dev launcher (synctalk.jvm.flags)
#   bin/synctalk, graph-definitions/, README.md
# and packs it as TARGET/NAME.tar.xz. Everything sent to the GPU machine in one call must fit in 64 MiB.
#
# Usage: assemble.sh TARGET_DIR NAME REPO_DIR JDK_HOME SHIM_FILE "XZ_OPTIONS"
set -euo pipefail

[[ $# -eq 6 ]] || { echo "usage: $0 TARGET_DIR NAME REPO_DIR JDK_HOME SHIM_FILE XZ_OPTIONS" >&2; exit 64; }
target="$1" name="$2" repo="$3" jdk="$4" shim="$5" xz_options="$6"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$target/dist/$name"
tarball="$target/$name.tar.xz"

for tool in "$jdk/bin/java" "$jdk/bin/jlink" "$jdk/bin/jdeps"; do
  [[ -x "$tool" ]] || { echo "assemble.sh: $tool not found: the distribution needs a full JDK (-Ddist.jdk=...)" >&2; exit 1; }
done
[[ -f "$target/synctalk-app.jar" && -f "$target/jvm.options" && -d "$target/lib" ]] \
  || { echo "assemble.sh: $target holds no packaged app (synctalk-app.jar, jvm.options, lib/)" >&2; exit 1; }
command -v xz >/dev/null || { echo "assemble.sh: xz is needed to pack the distribution" >&2; exit 1; }

rm -rf "$target/dist" "$tarball"
mkdir -p "$out/bin" "$out/conf" "$out/lib"

"$jdk/bin/java" "$here/TrimJars.java" "$here/contents.txt" "$target/lib" "$out/lib"
cp "$target/synctalk-app.jar" "$out/lib/"

java_version="$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$jdk/release")"
# Over the full dependency set: JavaCV's module descriptor names the camera libraries that lib/ drops.
modules="$("$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release "${java_version%%.*}" -q \
  --class-path "$target/lib/*" "$target/synctalk-app.jar" "$target"/lib/*.jar)"
[[ "$modules" == java.base* ]] || { echo "assemble.sh: jdeps did not list the modules: $modules" >&2; exit 1; }
echo "runtime/: Java $java_version with $modules"
# --compress=0: xz packs uncompressed modules about 40% smaller than jlink's own zip compression.
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=0 \
  --output "$out/runtime"
if command -v strip >/dev/null; then
  # The JDK's shared libraries keep their symbol tables; the runtime does not need them (JNI uses the
  # dynamic symbols, which strip keeps).
  find "$out/runtime/lib" -name '*.so' -exec strip --strip-unneeded {} +
fi

cp "$target/jvm.options" "$out/conf/jvm.options"
if [[ -f "$shim" ]]; then
  mkdir -p "$out/native"
  cp "$shim" "$out/native/libcudnn.so.8"
else
  echo "assemble.sh: WARNING: no cuDNN shim at $shim (the gpu module builds it with gcc); cuDNN 9-only servers cannot run cuDNN stages" >&2
fi
cp "$here/bin/synctalk" "$out/bin/synctalk"
chmod 755 "$out/bin/synctalk"
cp -r "$repo/graph-definitions" "$out/graph-definitions"
cp "$repo/README.md" "$out/README.md"

# shellcheck disable=SC2086
tar -C "$target/dist" -cf - "$name" | xz $xz_options > "$tarball"
unpacked="$(du -sb "$out" | cut -f1)"
packed="$(stat -c %s "$tarball")"
limit=$((64 * 1024 * 1024))
echo "distribution: $tarball"
awk -v p="$packed" -v u="$unpacked" 'BEGIN { printf "size: %d bytes = %.1f MiB packed (%.1f MiB unpacked); limit for one call to the GPU machine: 64 MiB\n", p, p / 1048576, u / 1048576 }'
if (( packed > limit )); then
  echo "distribution: WARNING: larger than 64 MiB: send it in parts (split -b 60M, then cat on the server)" >&2
fi
