package org.vidar.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.batch.FrameSampling;
import org.vidar.data.batch.VideoDataset;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.HeadConfig;
import org.vidar.optim.AdamConfig;
import org.vidar.optim.IRpropConfig;
import org.vidar.optim.LbfgsConfig;
import org.vidar.train.Engine;
import org.vidar.train.HeadStage;
import org.vidar.train.LocalEngine;
import org.vidar.train.TrainConfig;
import org.vidar.train.StageResult;
import org.vidar.train.TrunkStage;

/**
 * The Spark engine on a real standalone cluster: a master and two workers, each its own JVM on
 * 127.0.0.1, two single-core executors, the driver in this JVM. Training (Stages 2 and 1) and an
 * inference pass must give the local engine's results, with tasks spread over both executors.
 * Tagged so that {@code -Dgroups=cluster} runs it alone; it also runs in every {@code mvn test}.
 */
@Tag("cluster")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SparkStandaloneClusterTest {
  private StandaloneCluster cluster;
  private SparkSession session;
  private VideoDataset dataset;
  private SparkEngine engine;

  @BeforeAll
  void start() throws Exception {
    List<String> classpath = runtimeClasspath();
    cluster = new StandaloneCluster(jarsOnly(classpath), System.getProperty("vidar.cluster.javaOptions", ""));
    try {
      cluster.startMaster();
      cluster.startWorkers(2, 1, "1g");
      // The application (this module, its tests, and any module that is still a class folder in the
      // reactor) goes to executors as one real jar; everything else from the runtime classpath.
      List<Path> folders = new ArrayList<>();
      folders.add(Path.of(System.getProperty("vidar.cluster.classes")));
      folders.add(Path.of(System.getProperty("vidar.cluster.testClasses")));
      for (String e : classpath) {
        if (Files.isDirectory(Path.of(e))) {
          folders.add(Path.of(e));
        }
      }
      Path jar = cluster.applicationJar(folders);
      Path data = Files.createDirectories(cluster.home().resolve("data"));
      List<String> files = SparkEngineContract.writeFiles(data);
      dataset = VideoDataset.load(DataPaths.resolve(files), SparkEngineContract.SPEC, BadRecordPolicy.FAIL, FrameSampling.ALL);
      SparkSession.clearActiveSession();
      SparkSession.clearDefaultSession();
      session = SparkSession.builder().master(cluster.masterUrl()).appName("vidar-cluster-test")
          .config("spark.ui.enabled", "false")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.cores.max", "2")
          .config("spark.executor.cores", "1")
          .config("spark.executor.memory", "512m")
          .config("spark.executor.extraClassPath", String.join(File.pathSeparator, jarsOnly(classpath)))
          .config("spark.executor.extraJavaOptions", cluster.executorJavaOptions())
          .config("spark.jars", jar.toUri().toString())
          .config("spark.sql.shuffle.partitions", "2")
          .getOrCreate();
      waitForExecutors(2);
      engine = new SparkEngine(context(session), List.of(data.toString()), SparkEngineContract.SPEC,
          BadRecordPolicy.FAIL, FrameSampling.ALL, cluster.home().resolve("engine-work").toString());
    } catch (Throwable t) {
      throw new AssertionError("cluster start-up failed: " + t + "\n" + cluster.logTails(), t);
    }
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (session != null) {
        session.stop(); // ends the executors
      }
    } finally {
      SparkSession.clearActiveSession();
      SparkSession.clearDefaultSession();
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  @Test
  void tasksRunOnBothExecutors() {
    onCluster(() -> {
      TreeSet<String> ids = engine.aggregateShards(ClusterJobs.executorIds(), ClusterJobs.union());
      assertEquals(2, ids.size(), "executors that ran shard tasks: " + ids);
      assertTrue(ids.stream().noneMatch(id -> id.endsWith("@" + ProcessHandle.current().pid())),
          "no task ran in the driver: " + ids);
    });
  }

  @Test
  void stageTwoMatchesTheLocalEngine() {
    onCluster(() -> {
      VideoModel m = SparkEngineContract.model();
      TrainConfig c = SparkEngineContract.config(6, 4);
      float[] local;
      try (LocalEngine e = new LocalEngine(dataset, 2, 2)) {
        local = new TrunkStage(c).run(e, m).model().trunkParams();
      }
      StageResult tuned = new TrunkStage(c).run(engine, m);
      float[] spark = tuned.model().trunkParams();
      float[] start = m.trunkParams();
      double moved = 0;
      for (int i = 0; i < local.length; i++) {
        assertEquals(local[i], spark[i], 1e-4 * Math.max(1, Math.abs(local[i])), "trunk param " + i);
        moved += Math.abs(spark[i] - start[i]);
      }
      assertTrue(moved > 1e-3, "the trunk moved: " + moved);
      assertTrue(tuned.optimization().iterations() > 0);
    });
  }

  @Test
  void stageOneAndInferenceMatchTheLocalEngine() {
    onCluster(() -> {
      VideoModel m = SparkEngineContract.model();
      TrainConfig c = new TrainConfig(1, 0, 8, AdamConfig.of(0.01), HeadConfig.fixed(1, 1e-4f), 1,
          HeadConfig.fixed(2, 1e-3f), 2, LbfgsConfig.of(15, 1e-7, 1e-10), 0, IRpropConfig.defaults(), 0f, 5);
      long[] positives = dataset.positivesPerClass(SparkEngineContract.CLASSES);
      VideoModel local;
      double[] localScores;
      try (LocalEngine e = new LocalEngine(dataset, 2, 3)) {
        local = new HeadStage(c).run(e, m, e.embed(m, 5), positives, 1).model();
        try (Engine.Shared<VideoModel> s = e.shareModel(local)) {
          localScores = e.aggregateShards(ClusterJobs.score(s, 5), ClusterJobs.plus());
        }
      }
      VideoModel spark = new HeadStage(c).run(engine, m, engine.embed(m, 5), positives, 1).model();
      float[] a = local.headParams();
      float[] b = spark.headParams();
      assertEquals(a.length, b.length);
      double moved = 0;
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i], b[i], 1e-3 * Math.max(1, Math.abs(a[i])), "head param " + i);
        moved += Math.abs(b[i]);
      }
      assertTrue(moved > 1e-2, "the heads were trained: " + moved);

      // Inference with the locally trained model on both engines: same videos, same probabilities.
      double[] sparkScores;
      try (Engine.Shared<VideoModel> s = engine.shareModel(local)) {
        sparkScores = engine.aggregateShards(ClusterJobs.score(s, 5), ClusterJobs.plus());
      }
      assertEquals(dataset.size(), (long) localScores[0]);
      assertEquals(localScores[0], sparkScores[0]);
      assertEquals(localScores[1], sparkScores[1], 1e-6 * Math.abs(localScores[1]));
      assertTrue(sparkScores[1] > 0);
    });
  }

  /** Runs a check against the cluster; a failure carries the daemons' and executors' log tails. */
  private void onCluster(ThrowingRunnable check) {
    try {
      check.run();
    } catch (Throwable t) {
      throw new AssertionError(t.getMessage() + "\n" + cluster.logTails(), t);
    }
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private void waitForExecutors(int count) throws InterruptedException {
    long deadline = System.nanoTime() + StandaloneCluster.WAIT.toNanos();
    while (session.sparkContext().statusTracker().getExecutorInfos().length < count + 1) { // + the driver
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("executors seen after " + StandaloneCluster.WAIT.toSeconds() + " s: "
            + (session.sparkContext().statusTracker().getExecutorInfos().length - 1) + " of " + count);
      }
      Thread.sleep(100);
    }
  }

  private static org.apache.spark.api.java.JavaSparkContext context(SparkSession s) {
    return org.apache.spark.api.java.JavaSparkContext.fromSparkContext(s.sparkContext());
  }

  /** The runtime classpath Maven wrote at build time (dependency:build-classpath). */
  private static List<String> runtimeClasspath() throws IOException {
    String file = System.getProperty("vidar.cluster.classpath");
    if (file == null) {
      throw new IllegalStateException("vidar.cluster.classpath is not set: run the test through Maven");
    }
    List<String> out = new ArrayList<>();
    for (String e : Files.readString(Path.of(file)).trim().split(File.pathSeparator)) {
      if (!e.isBlank()) {
        out.add(e.trim());
      }
    }
    return out;
  }

  private static List<String> jarsOnly(List<String> classpath) {
    return classpath.stream().filter(e -> !Files.isDirectory(Path.of(e))).toList();
  }
}
