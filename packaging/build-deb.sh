#!/usr/bin/env bash
# Builds flowgate_<version>_amd64.deb from an already packaged tree (`make deb` runs the Maven
# package first): the control plane jar and its runtime jars (controlplane/target/lib, which
# holds the BPF object and the JNI library inside flowgate-dataplane-bpf and flowgate-native),
# the launcher, the config (a conffile), the systemd unit, sysusers/tmpfiles snippets, the man
# page (docs/flowgate.8) and a bash completion generated from the CLI (picocli AutoComplete).
#
#   packaging/build-deb.sh [OUTDIR]      (default: target/ at the top of the tree)
#
# Prints the path of the .deb on its last line.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
root=$(cd -- "$here/.." && pwd)
out=${1:-$root/target}

die() {
  echo "build-deb: $*" >&2
  exit 1
}

shopt -s nullglob
jars=("$root"/controlplane/target/flowgate-controlplane-*.jar)
shopt -u nullglob
[[ ${#jars[@]} -eq 1 ]] || die "expected one controlplane/target/flowgate-controlplane-*.jar (run 'make build'), found ${#jars[@]}"
jar=${jars[0]}
lib=$root/controlplane/target/lib
[[ -d "$lib" ]] || die "no $lib (run 'make build')"
for needed in flowgate-native flowgate-dataplane-bpf flowgate-exporters; do
  compgen -G "$lib/$needed-*.jar" >/dev/null || die "no $needed jar in $lib"
done

# 0.1.0-SNAPSHOT -> 0.1.0~snapshot (sorts before the release 0.1.0)
mvn_version=$(basename "$jar" .jar)
mvn_version=${mvn_version#flowgate-controlplane-}
version=${mvn_version/-SNAPSHOT/\~snapshot}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
pkg=$stage/flowgate
doc=$pkg/usr/share/doc/flowgate

install -d -m 0755 "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/usr/share/flowgate/lib" "$doc" \
  "$pkg/usr/share/man/man8" "$pkg/usr/share/bash-completion/completions" "$pkg/etc/flowgate" "$pkg/lib/systemd/system" \
  "$pkg/usr/lib/sysusers.d" "$pkg/usr/lib/tmpfiles.d"
install -m 0644 "$jar" "$lib"/*.jar "$pkg/usr/share/flowgate/lib/"
install -m 0755 "$root/bin/flowgate" "$pkg/usr/bin/flowgate"
install -m 0644 "$root/config/flowgate.yaml" "$pkg/etc/flowgate/flowgate.yaml"
install -m 0644 "$root/systemd/flowgate.service" "$pkg/lib/systemd/system/flowgate.service"
install -m 0644 "$root/systemd/flowgate.sysusers" "$pkg/usr/lib/sysusers.d/flowgate.conf"
install -m 0644 "$root/systemd/flowgate.tmpfiles" "$pkg/usr/lib/tmpfiles.d/flowgate.conf"
install -m 0644 "$root/docs/security.md" "$doc/security.md"
install -m 0644 "$root/docs/fleet.md" "$doc/fleet.md"
# the Kafka sink's protobuf schema (goflow2's FlowMessage), for consumers such as ClickHouse
install -m 0644 "$root/exporters/src/test/proto/flowpb/flow.proto" "$pkg/usr/share/flowgate/flow.proto"
install -m 0644 "$here/debian/copyright" "$doc/copyright"
gzip -9n -c "$root/docs/flowgate.8" > "$pkg/usr/share/man/man8/flowgate.8.gz"
chmod 0644 "$pkg/usr/share/man/man8/flowgate.8.gz"
# bash completion of every subcommand and option, generated from the CLI itself (picocli)
java -cp "$jar:$lib/*" picocli.AutoComplete --force --name flowgate \
  --completionScript "$pkg/usr/share/bash-completion/completions/flowgate" \
  dev.flowgate.controlplane.cli.Main >/dev/null
sed -i '1{/^#!/d}' "$pkg/usr/share/bash-completion/completions/flowgate" # sourced, not run
chmod 0644 "$pkg/usr/share/bash-completion/completions/flowgate"
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$(date -R)/" "$here/debian/changelog.in" |
  gzip -9n > "$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"

install -m 0755 "$here/debian/postinst" "$here/debian/prerm" "$here/debian/postrm" "$pkg/DEBIAN/"
install -m 0644 "$here/debian/conffiles" "$pkg/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$size/" "$here/debian/control.in" \
  > "$pkg/DEBIAN/control"
(cd "$pkg" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) \
  > "$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/md5sums"

mkdir -p "$out"
deb=$out/flowgate_${version}_amd64.deb
dpkg-deb --root-owner-group -Zgzip --build "$pkg" "$deb" >/dev/null
echo "$deb"
