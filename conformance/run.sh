#!/usr/bin/env bash
# Run one conformance tool against one Flink line's build:
#   conformance/run.sh <1.20|2.0|2.3> <generate|dump|version> [args...]
# Needs `mvn -P flink-<line> package` first (writes target/flink-<line>/classpath.txt).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
line="$1"; shift
build="$here/target/flink-$line"
if [[ ! -f "$build/classpath.txt" ]]; then
  echo "conformance/run.sh: $build/classpath.txt missing; run: mvn -q -f $here/pom.xml -P flink-$line package" >&2
  exit 2
fi
cp="$build/classes:$(cat "$build/classpath.txt")"
# Java 17 module openings Flink needs (same set Flink's own launch scripts pass).
opens=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)
exec java ${CKPT_CONFORMANCE_JAVA_OPTS:--Xmx2g} "${opens[@]}" \
  -Dlog4j.configurationFile="$here/src/main/resources/log4j2.properties" \
  -cp "$cp" dev.ckpt.conformance.Main "$@"
