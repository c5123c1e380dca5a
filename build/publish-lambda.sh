#!/usr/bin/env bash
# Publishes the Lambda sample with Native AOT as the 'bootstrap' of a provided.al2023 function, and zips it.
#   build/publish-lambda.sh [x64|arm64]      default: this machine's architecture
# Output: build/out/lambda/<arch>/bootstrap and build/out/lambda/bootstrap-<arch>.zip (what samples/infra deploys).
# Needs a C toolchain for the native link: clang, or gcc (used when clang is absent). Cross-publishing arm64 from an
# x64 machine needs an arm64 sysroot and linker; without them, publish on an arm64 machine (or a Graviton CI runner).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

arch="${1:-}"
if [ -z "$arch" ]; then
  case "$(uname -m)" in aarch64|arm64) arch=arm64 ;; *) arch=x64 ;; esac
fi
case "$arch" in x64|arm64) ;; *) echo "usage: $0 [x64|arm64]" >&2; exit 2 ;; esac
host="$(uname -m)"
if [ "$arch" = arm64 ] && [ "$host" != aarch64 ] && [ "$host" != arm64 ]; then
  echo "publish-lambda.sh: cross-publishing arm64 from $host needs an arm64 sysroot and linker (Native AOT links natively);" >&2
  echo "run this script on an arm64 machine, or publish x64 and set architecture = \"x86_64\" in samples/infra." >&2
  exit 1
fi

linker=()
if ! command -v clang >/dev/null 2>&1; then
  command -v gcc >/dev/null 2>&1 || { echo "publish-lambda.sh: Native AOT needs clang or gcc (apt-get install clang)" >&2; exit 1; }
  linker=(-p:CppCompilerAndLinker=gcc)
fi

out="build/out/lambda/$arch"
rm -rf "$out"
dotnet publish samples/ModelRegistry.Samples.Lambda -c Release -r "linux-$arch" -p:PublishAot=true "${linker[@]}" \
  -warnaserror -o "$out" --nologo -v quiet

# provided.al2023 ships glibc 2.34: a bootstrap that needs a newer one would fail to start there.
need=$(objdump -T "$out/bootstrap" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1 || true)
if [ -n "$need" ] && [ "$(printf '%s\nGLIBC_2.34\n' "$need" | sort -V | tail -1)" != "GLIBC_2.34" ]; then
  echo "publish-lambda.sh: warning: bootstrap needs $need, newer than provided.al2023's GLIBC_2.34; publish on an older distribution" >&2
fi

(cd "$out" && rm -f ../bootstrap-"$arch".zip && zip -q -j ../bootstrap-"$arch".zip bootstrap)
echo "published $out/bootstrap ($(du -h "$out/bootstrap" | cut -f1)); zip: build/out/lambda/bootstrap-$arch.zip"
