#!/usr/bin/env bash
# A real standalone cluster (master + 2 workers, own JVMs on 127.0.0.1) whose SPARK_HOME/jars holds
# only Spark's jars (as a distribution would): Vidar reaches the executors only through the app jar.
# It trains (bfloat16 embeddings) and predicts (by 2 class groups) with ./vidar --master spark://...
# Run after 'mvn -B -DskipTests package'; about a minute. Everything goes under /tmp.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
H=/tmp/sparkhome; rm -rf $H; mkdir -p $H/jars $H/local
for j in $(tr ':' '\n' < vidar-cli/target/runtime-classpath.txt | grep -v -e protobuf-java -e picocli -e '/vidar-'); do ln -s "$j" $H/jars/; done
export SPARK_HOME=$H SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_DIRS=$H/local
OPTS="$(cat vidar-cli/target/jvm-options.txt) -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.io.tmpdir=$H/local"
java $OPTS -cp "$H/jars/*" -Dspark.master.rest.enabled=false org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 0 --webui-port 0 > $H/master.log 2>&1 &
MPID=$!
for i in $(seq 60); do grep -q "I have been elected leader" $H/master.log && break; sleep 1; done
URL=$(grep -o "spark://127.0.0.1:[0-9]*" $H/master.log | head -1)
echo "master $URL"
WPIDS=""
for w in 1 2; do
  java $OPTS -cp "$H/jars/*" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --port 0 --webui-port 0 --cores 1 --memory 1g --work-dir $H/work$w $URL > $H/worker$w.log 2>&1 &
  WPIDS="$WPIDS $!"
done
trap 'kill $WPIDS $MPID 2>/dev/null || true' EXIT
for i in $(seq 60); do [ "$(grep -l 'Successfully registered' $H/worker*.log 2>/dev/null | wc -l)" = 2 ] && break; sleep 1; done
echo "workers registered"
D=/tmp/smokedata; rm -rf $D /tmp/smokemodel /tmp/smoke.csv /tmp/smoke-parquet
./vidar synth --out $D -n 400 -c 30 --level video --threads 2 --seed 2 > /dev/null 2>&1
EXEC="-Dspark.executor.memory=1g -Dspark.cores.max=2 -Dspark.executor.cores=1 -Dspark.executor.extraJavaOptions=-XX:TieredStopAtLevel=1"
VIDAR_JAVA_OPTS="$EXEC" ./vidar train --master $URL --train "$D/video/train*" --validate "$D/video/validate*" \
  --vocabulary $D/vocabulary.csv --hidden 32 --context-gating --pretrain-epochs 2 --rounds 1 --experts 2 \
  --lbfgs-iterations 10 --trunk-steps 3 --embedding-precision bfloat16 --work-dir $H/vidar-work --out /tmp/smokemodel
VIDAR_JAVA_OPTS="$EXEC" ./vidar predict --master $URL -m /tmp/smokemodel --class-groups 2 -o /tmp/smoke.csv \
  --parquet /tmp/smoke-parquet --work-dir $H/vidar-work "$D/video/validate*"
head -3 /tmp/smoke.csv
echo "executors that ran:"; ls $H/work1 $H/work2 | head
grep -l "org.vidar" $H/work*/app-*/*/stderr 2>/dev/null | head -3 || true
