#!/usr/bin/env bash
# Packs every src package (src/*/*.csproj) into build/out/packages, then checks what each package holds.
#   build/pack.sh
# Version: VersionPrefix/VersionSuffix in Directory.Build.props, the one place. Release configuration,
# ContinuousIntegrationBuild=true (deterministic, normalised source paths), warnings as errors; package validation runs
# with pack (EnablePackageValidation). Each .nupkg must hold its assembly, XML docs, README.md and LICENSE, and have a
# .snupkg beside it whose PDB carries SourceLink to the repository at the commit packed; otherwise this script fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
out="$root/build/out/packages"
work="$root/build/out/pack"
rm -rf "$out" "$work"
mkdir -p "$out" "$work"

# One build of just the src projects: a solution filter of them.
projects=()
for csproj in src/*/*.csproj; do projects+=("$csproj"); done
[ "${#projects[@]}" -gt 0 ] || { echo "pack.sh: no src/*/*.csproj found" >&2; exit 1; }
{
  printf '{ "solution": { "path": "../../../ModelRegistry.sln", "projects": ['
  sep=""
  for p in "${projects[@]}"; do printf '%s"%s"' "$sep" "$p"; sep=", "; done
  printf '] } }\n'
} >"$work/src.slnf"

# Built in its own artifacts folder: a CI build from scratch, leaving the solution's bin/obj (which the tests use) alone.
dotnet pack "$work/src.slnf" -c Release -o "$out" --artifacts-path "$work/artifacts" --nologo -v quiet -warnaserror \
  -p:ContinuousIntegrationBuild=true

version=$(find "$out" -maxdepth 1 -name 'ModelRegistry.[0-9]*.nupkg' -printf '%f\n' | sed 's/^ModelRegistry\.\(.*\)\.nupkg$/\1/' | head -1)
[ -n "$version" ] || { echo "pack.sh: dotnet pack made no ModelRegistry package" >&2; exit 1; }
commit=$(git rev-parse HEAD 2>/dev/null) || { echo "pack.sh: not a git clone; SourceLink needs the commit to point at" >&2; exit 1; }
problems=()
for csproj in "${projects[@]}"; do
  id=$(basename "$csproj" .csproj)
  nupkg="$out/$id.$version.nupkg"
  snupkg="$out/$id.$version.snupkg"
  if [ ! -f "$nupkg" ]; then problems+=("$id: no $(basename "$nupkg")"); continue; fi
  [ -f "$snupkg" ] || problems+=("$id: no symbols package $(basename "$snupkg")")
  listing=$(unzip -Z1 "$nupkg")
  for entry in README.md LICENSE "lib/net10.0/$id.dll" "lib/net10.0/$id.xml"; do
    grep -qx "$entry" <<<"$listing" || problems+=("$id: $entry missing from the package")
  done
  nuspec=$(unzip -p "$nupkg" "$id.nuspec")
  grep -q '<readme>README.md</readme>' <<<"$nuspec" || problems+=("$id: the nuspec names no readme")
  grep -q '<license type="expression">MIT</license>' <<<"$nuspec" || problems+=("$id: the nuspec has no MIT licence expression")
  grep -q "commit=\"$commit\"" <<<"$nuspec" || problems+=("$id: the nuspec's repository element does not name commit $commit")
  if [ -f "$snupkg" ]; then
    # The portable PDB holds the SourceLink map as JSON: the repository's raw-content URL at the packed commit.
    unzip -p "$snupkg" "lib/net10.0/$id.pdb" >"$work/$id.pdb"
    grep -aq "raw.githubusercontent.com/modelregistry/modelregistry/$commit/" "$work/$id.pdb" \
      || problems+=("$id: the PDB in the symbols package has no SourceLink to the repository at commit $commit")
  fi
done

if [ "${#problems[@]}" -gt 0 ]; then
  printf 'pack.sh: %s\n' "${problems[@]}" >&2
  exit 1
fi
echo "packed ${#projects[@]} packages, version $version, into build/out/packages (with .snupkg symbols, README, LICENSE, SourceLink at ${commit:0:12})"
