package org.vidar.cli;

import org.apache.spark.sql.SparkSession;
import org.vidar.spark.SparkSessions;
import org.vidar.train.TrainConfig;
import picocli.CommandLine.Option;

/** Where a command's work runs, shared by {@code train} and {@code predict}. */
final class EngineOptions {
  /** The engines a command can run on. */
  enum Kind {
    /** Apache Spark: local mode by default, a cluster with {@code --master spark://…}. */
    SPARK,
    /** Threads of this process. */
    LOCAL
  }

  @Option(names = "--engine", defaultValue = "spark",
      description = "spark (Apache Spark, local mode by default) or local (this process: threads over data held "
          + "in memory when training, streaming when predicting); default: ${DEFAULT-VALUE}.")
  Kind kind;

  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master: local[N], or spark://host:port for a cluster (default: local[*], or the master "
          + "spark-submit sets).")
  String master;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Spark: intermediate data (each round's embedding shards, predict's per-file parts), deleted "
          + "once used; any file system every executor reaches (default: a local temporary folder, deleted after).")
  String workDir;

  @Option(names = "--chunk-rows", defaultValue = "" + TrainConfig.DEFAULT_CHUNK_ROWS,
      description = "Videos scored at once, and per batch in training's full-batch passes (default: ${DEFAULT-VALUE}).")
  int chunkRows;

  @Option(names = "--spark-ui",
      description = "Spark: turn Spark's web UI on (jobs, stages, tasks, executors, each job named after the step "
          + "it serves) and print its address on stderr; off by default.")
  boolean sparkUi;

  boolean spark() {
    return kind == Kind.SPARK;
  }

  /** The Spark master to use: the one given, else spark-submit's, else local[*]. */
  String sparkMaster() {
    return SparkSessions.master(master);
  }

  /** A Spark session for {@code appName}, its web UI on with {@code --spark-ui}, whose address it prints once. */
  SparkSession startSpark(String appName) {
    SparkSession session = SparkSessions.start(master, appName, sparkUi);
    if (sparkUi) {
      // Asked for: said even under --quiet.
      System.err.println("Spark UI: " + SparkSessions.uiUrl(session).orElse("(none: spark.ui.enabled is false)"));
    }
    return session;
  }

  /** Refuses options the chosen engine cannot use and sizes no engine can work with, naming the option. */
  void check(int topK) {
    requireSpark(sparkUi, "--spark-ui");
    checkSizes(topK);
  }

  /** Refuses sizes no engine can work with, naming the option. */
  void checkSizes(int topK) {
    if (chunkRows < 1) {
      throw new UsageException("--chunk-rows must be at least 1, got " + chunkRows);
    }
    if (topK < 1) {
      throw new UsageException("--top-k must be at least 1, got " + topK);
    }
  }

  /** Refuses a Spark-only option on the local engine. */
  void requireSpark(boolean given, String option) {
    if (given && !spark()) {
      throw new UsageException(option + " needs --engine spark");
    }
  }
}
