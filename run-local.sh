#!/bin/sh
# The local pipeline on this machine: Kafka (KRaft) and PostgreSQL from Maven artifacts, the topics and
# migrations, the sessionizer, the Flink job and the load generator. Needs only a JDK 17 and Maven.
#
#   ./run-local.sh [--no-load] [--rate N] [--duration 10m] [--users N] [--data-dir DIR]
#                  [--kafka-port N] [--pg-port N] [--http-port N]
#                  [--kafka-bootstrap HOST:PORT] [--jdbc-url URL]      (./run-local.sh --help: all options)
#
# Builds what it needs first (mvn -DskipTests package) when an artifact is missing or older than the
# sources. Prints "READY kafka=... postgres=... sessionizer=..." once everything is up; Ctrl-C stops
# everything it started. Session rules: the SESSIONIZER_* environment variables.
set -eu

ROOT=$(cd "$(dirname "$0")" && pwd)
cd "$ROOT"
STAMP="$ROOT/target/run-local.stamp"

ARTIFACTS="sessionizer/target/quarkus-app/quarkus-run.jar flink-sink-job/target/classes flink-sink-job/target/lib
load-test/target/classes load-test/target/lib"
SOURCES="pom.xml schema devstack sessionizer/src sessionizer/pom.xml flink-sink-job/src flink-sink-job/pom.xml
load-test/src load-test/pom.xml"

needs_build() {
    [ -f "$STAMP" ] || return 0
    for a in $ARTIFACTS; do
        [ -e "$a" ] || return 0
    done
    # any source file changed since the last build by this script
    [ -n "$(find $SOURCES -newer "$STAMP" -type f ! -path '*/target*' 2>/dev/null | head -n 1)" ]
}

if [ "${RUN_LOCAL_SKIP_BUILD:-}" != "1" ] && needs_build; then
    echo "building the pipeline (mvn -q -B -DskipTests package) ..."
    mkdir -p "$ROOT/target"
    touch "$STAMP.new"
    mvn -q -B -DskipTests package
    mv "$STAMP.new" "$STAMP"
fi

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# exec: Ctrl-C and kill reach the orchestrator directly, whose shutdown hook stops all it started.
exec "$JAVA" -Xmx1g -Dclickstream.home="$ROOT" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.log.com.acme.clickstream=info \
    -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS \
    -cp "$ROOT/load-test/target/classes:$ROOT/load-test/target/lib/*" \
    com.acme.clickstream.loadtest.stack.StackCommand "$@"
