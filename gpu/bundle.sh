#!/usr/bin/env bash
# Builds the GPU bundle: everything the GPU machine needs to run this module's code, since it has no Java
# (research/gpu-feasibility.md). Contents: jre/ (jlinked Java runtime), lib/ (the gpu module jar with its
# PTX and shim, JCuda/JCudnn jars and their linux-x86_64 natives), native/libcudnn.so.8 (the cuDNN 8 shim
# over cuDNN 9) and run.sh. Everything sent to the GPU machine must fit in 64 MiB; the size is printed.
#
# Usage: gpu/bundle.sh [OUTPUT_DIR] [--rebuild-jre]     (default OUTPUT_DIR: /work/main/.gpu-bundle)
# Then, on the GPU machine: bash OUTPUT_DIR/run.sh dev.synctalk.gpu.cuda.GpuSelfTest
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="/work/main/.gpu-bundle"
rebuild_jre=false
for arg in "$@"; do
  case "$arg" in
    --rebuild-jre) rebuild_jre=true ;;
    -*) echo "unknown option $arg" >&2; exit 64 ;;
    *) out="$arg" ;;
  esac
done
jre_modules="java.base,jdk.unsupported,java.logging,java.management,jdk.management"

command -v nvcc >/dev/null || [[ -x /usr/local/cuda/bin/nvcc ]] \
  || { echo "bundle.sh: nvcc is needed to build the kernels' PTX" >&2; exit 1; }
command -v jlink >/dev/null || { echo "bundle.sh: jlink (a JDK 17) is needed for the bundled runtime" >&2; exit 1; }

echo "building the gpu module jar"
(cd "$repo" && mvn -q -B -pl gpu -am -DskipTests package)
jar="$(ls "$repo"/gpu/target/synctalk-gpu-*.jar | grep -v -E 'sources|tests' | head -n 1)"
unzip -l "$jar" | grep 'cuda/saxpy.compute_90.ptx' >/dev/null || { echo "bundle.sh: $jar holds no PTX" >&2; exit 1; }
shim="$repo/gpu/target/classes/native/linux-x86_64/libcudnn.so.8"
[[ -f "$shim" ]] || { echo "bundle.sh: the cuDNN shim was not built ($shim)" >&2; exit 1; }

mkdir -p "$out"
rm -rf "$out/lib" "$out/native"
mkdir -p "$out/lib" "$out/native"
(cd "$repo" && mvn -q -B -pl gpu dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$out/lib")
cp "$jar" "$out/lib/"
cp "$shim" "$out/native/libcudnn.so.8"

java_version="$(jlink --version)"
if $rebuild_jre || [[ ! -x "$out/jre/bin/java" ]] || [[ "$(cat "$out/jre/.synctalk-jre" 2>/dev/null)" != "$java_version $jre_modules" ]]; then
  echo "linking a Java $java_version runtime"
  rm -rf "$out/jre"
  jlink --add-modules "$jre_modules" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$out/jre"
  echo "$java_version $jre_modules" > "$out/jre/.synctalk-jre"
fi

cat > "$out/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs a main class of the gpu module on the bundled Java runtime: run.sh MAIN_CLASS [ARGS...]
# e.g. run.sh dev.synctalk.gpu.cuda.GpuSelfTest; run.sh dev.synctalk.gpu.bench.GpuBenchmark
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[[ $# -ge 1 ]] || { echo "usage: $0 MAIN_CLASS [ARGS...]" >&2; exit 64; }
exec "$here/jre/bin/java" -Xmx8g -XX:+UseParallelGC \
  -Dsynctalk.cudnn.shim="$here/native/libcudnn.so.8" \
  -cp "$here/lib/*" "$@"
RUN
chmod +x "$out/run.sh"

# A smoke test of the bundle itself on this machine: the runtime starts and the classes load.
"$out/jre/bin/java" -cp "$out/lib/*" dev.synctalk.gpu.cuda.GpuSelfTest --help >/dev/null 2>&1 && status=0 || status=$?
[[ $status -eq 64 ]] || { echo "bundle.sh: the bundled runtime could not start GpuSelfTest (exit $status)" >&2; exit 1; }

bytes="$(du -sb "$out" | cut -f1)"
echo "GPU bundle at $out: $((bytes / 1024 / 1024)) MiB ($bytes bytes; limit for the GPU machine 64 MiB)"
ls -1 "$out/lib"
(( bytes < 60 * 1024 * 1024 )) || { echo "bundle.sh: bundle too large for the GPU machine" >&2; exit 1; }
