package org.vidar.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.FeatureSpec;
import org.vidar.data.InputFile;
import org.vidar.data.SkipReport;
import org.vidar.data.batch.FrameSampling;
import org.vidar.model.TrunkPart;
import org.vidar.model.VideoModel;
import org.vidar.train.Engine;
import org.vidar.train.embedding.EmbeddingFiles;
import org.vidar.train.embedding.EmbeddingPrecision;
import org.vidar.train.embedding.EmbeddingSource;

/**
 * The engine on Apache Spark: every TFRecord input file is one partition, read by an executor and
 * never collected to the driver; per-partition results are combined by {@code treeReduce}.
 *
 * <p>Spark ships tasks, combiners and item functions to executors with Java serialization (the
 * engine's task types are {@link java.io.Serializable}); results go through Spark's serializer.
 * Models and parameter vectors reach the tasks as broadcasts ({@link #shareModel},
 * {@link #shareArray}), shipped once to each executor.
 */
public final class SparkEngine implements Engine {
  private static final Logger LOG = LoggerFactory.getLogger(SparkEngine.class);
  private static final int TREE_DEPTH = 2;
  private final JavaSparkContext sc;
  private final List<String> files;
  private final FeatureSpec spec;
  private final BadRecordPolicy policy;
  private final FrameSampling sampling;
  private final JavaRDD<String> shards;
  private final String workDir;
  /** The working directory is a temporary folder this engine made, which closing deletes. */
  private final boolean ownsWorkDir;
  /** The directory of every embedding table this engine wrote and nobody has discarded yet. */
  private final Map<EmbeddingSource, String> embeddingDirs = new IdentityHashMap<>();
  /** The records the shards of the current pass skipped; reset before each pass. */
  private final SkipAccumulator passSkips;
  /** The report of the pass that skipped the most records (every pass reads every file). */
  private SkipReport skipped = new SkipReport();

  /**
   * An engine over the files that {@code locations} name (paths, globs, directories or Hadoop URIs,
   * resolved once on the driver).
   *
   * @param sampling frame level only: the frames kept per video, as the local engine's
   *     {@code VideoDataset.load} keeps them
   */
  public SparkEngine(JavaSparkContext sc, List<String> locations, FeatureSpec spec, BadRecordPolicy policy,
      FrameSampling sampling) throws IOException {
    this(sc, locations, spec, policy, sampling, null, true);
  }

  /**
   * As above, with intermediate data (embedding shards) under {@code workDir}: any Hadoop file
   * system every executor can reach (a local path is enough for local mode and one-machine clusters).
   */
  public SparkEngine(JavaSparkContext sc, List<String> locations, FeatureSpec spec, BadRecordPolicy policy,
      FrameSampling sampling, String workDir) throws IOException {
    this(sc, locations, spec, policy, sampling, workDir, false);
  }

  /** {@code workDir} null with {@code ownsWorkDir}: a temporary folder, made once the inputs are found. */
  private SparkEngine(JavaSparkContext sc, List<String> locations, FeatureSpec spec, BadRecordPolicy policy,
      FrameSampling sampling, String workDir, boolean ownsWorkDir) throws IOException {
    List<String> names = new ArrayList<>();
    for (InputFile f : DataPaths.resolve(locations)) {
      names.add(f.name());
    }
    this.sc = sc;
    this.files = List.copyOf(names);
    this.spec = spec;
    this.policy = policy;
    this.sampling = java.util.Objects.requireNonNull(sampling, "sampling");
    this.workDir = workDir != null ? workDir : java.nio.file.Files.createTempDirectory("vidar-work-").toString();
    this.ownsWorkDir = ownsWorkDir;
    // One element per slice: partition i reads file i, and its index is the shard index.
    this.shards = sc.parallelize(new ArrayList<>(files), files.size()).setName("vidar input files");
    this.passSkips = new SkipAccumulator();
    sc.sc().register(passSkips, "vidar skipped records");
  }

  /** An engine on the session's context. */
  public static SparkEngine of(SparkSession session, List<String> locations, FeatureSpec spec,
      BadRecordPolicy policy, FrameSampling sampling) throws IOException {
    return new SparkEngine(JavaSparkContext.fromSparkContext(session.sparkContext()), locations, spec, policy,
        sampling);
  }

  /** An engine on the session's context with intermediate data under {@code workDir}. */
  public static SparkEngine of(SparkSession session, List<String> locations, FeatureSpec spec,
      BadRecordPolicy policy, FrameSampling sampling, String workDir) throws IOException {
    return new SparkEngine(JavaSparkContext.fromSparkContext(session.sparkContext()), locations, spec, policy,
        sampling, workDir);
  }

  /** Where this engine writes its intermediate data. */
  public String workDir() {
    return workDir;
  }

  /** The input files, one per partition, in partition order. */
  public List<String> files() {
    return files;
  }

  /** Shards (partitions) a pass over the data runs. */
  public int shards() {
    return files.size();
  }

  public JavaSparkContext context() {
    return sc;
  }

  /** Ships {@code value} once to every executor; the caller destroys it when done. */
  public <T> Broadcast<T> broadcast(T value) {
    return sc.broadcast(value);
  }

  /**
   * Training records skipped under {@link BadRecordPolicy#SKIP}, counts by reason and the first
   * records, merged over the shards in file order: the report of the pass that skipped the most (each
   * pass reads every file, so passes agree unless a file changed under them). It reads as the local
   * engine's report for the same files.
   */
  public SkipReport skipReport() {
    return skipped;
  }

  private SkipAccumulator startPass() {
    passSkips.reset();
    return passSkips;
  }

  private void endPass() {
    SkipReport pass = passSkips.value();
    if (pass.total() > skipped.total()) {
      skipped = pass;
    }
  }

  @Override
  public int parallelism() {
    return sc.defaultParallelism();
  }

  @Override
  public <R> R aggregateShards(ShardTask<R> task, Combine<R> combine) {
    // Locals, not fields: the closure must not capture this engine (nor its context).
    FeatureSpec wire = spec;
    BadRecordPolicy onBad = policy;
    FrameSampling frames = sampling;
    SkipAccumulator skips = startPass();
    JavaRDD<R> partial = shards.mapPartitionsWithIndex((index, it) -> {
      List<String> mine = new ArrayList<>();
      it.forEachRemaining(mine::add);
      if (mine.isEmpty()) {
        return Collections.emptyIterator();
      }
      try (FileShard shard = FileShard.open(index, mine, wire, onBad, frames)) {
        R result = task.apply(shard);
        skips.add(new SkipAccumulator.ShardSkips(index, shard.skipped()));
        return Collections.singletonList(result).iterator();
      }
    }, false);
    R result = partial.treeReduce(combine::apply, TREE_DEPTH);
    endPass();
    return result;
  }

  @Override
  public <T, R> List<R> mapItems(List<T> items, ItemTask<T, R> task) {
    if (items.isEmpty()) {
      return List.of();
    }
    // collect() returns partitions in order and each keeps its items' order.
    return sc.parallelize(new ArrayList<>(items), items.size()).map(task::apply).collect();
  }

  /**
   * A map-only pass: every partition writes its videos' embeddings to one shard under the working
   * directory ({@link EmbeddingFiles}); Stage 1's group tasks stream the shards back. Only the
   * trunk is broadcast: the pass never reads the heads.
   */
  @Override
  public EmbeddingSource embed(VideoModel model, int chunkRows, EmbeddingPrecision precision, int draws) {
    String dir = DataPaths.join(workDir, "embeddings-" + UUID.randomUUID());
    FeatureSpec wire = spec;
    BadRecordPolicy onBad = policy;
    FrameSampling frames = sampling;
    // Several draws (frame level, a sample of the frames): each task reads its files once a draw.
    int copies = Engine.embeddingDraws(spec.level(), sampling, draws);
    List<String> written;
    Broadcast<TrunkPart> trunk = sc.broadcast(TrunkPart.of(model));
    SkipAccumulator skips = startPass();
    boolean done = false;
    try {
      written = shards.mapPartitionsWithIndex((index, it) -> {
        List<String> mine = new ArrayList<>();
        it.forEachRemaining(mine::add);
        if (mine.isEmpty()) {
          return Collections.<String>emptyIterator();
        }
        List<String> outs = new ArrayList<>(copies);
        for (int d = 0; d < copies; d++) {
          String out = DataPaths.join(dir, String.format("part-%05d-draw-%03d.tfrecord", index, d));
          try (FileShard shard = FileShard.open(index, mine, wire, onBad, frames.forDraw(d))) {
            EmbeddingFiles.write(shard, trunk.value(), out, chunkRows, precision);
            if (d == 0) { // the same records each draw: their bad ones counted once
              skips.add(new SkipAccumulator.ShardSkips(index, shard.skipped()));
            }
          }
          outs.add(out);
        }
        return outs.iterator();
      }, false).collect();
      // Draw after draw, each in file order: the rows in the order the local engine's table holds them.
      written = new ArrayList<>(written);
      written.sort(java.util.Comparator.comparing((String f) -> f.substring(f.lastIndexOf("-draw-")))
          .thenComparing(f -> f.substring(f.lastIndexOf("part-"))));
      endPass();
      done = true;
    } finally {
      trunk.destroy();
      if (!done) {
        deleteQuietly(dir); // the shards of the tasks that finished before the failure
      }
    }
    EmbeddingFiles.Source table =
        new EmbeddingFiles.Source(written, model.trunk().outputDim(), model.config().numClasses(), precision);
    embeddingDirs.put(table, dir);
    return table;
  }

  /** Deletes the shards of a table this engine wrote, and their directory. */
  @Override
  public void discard(EmbeddingSource table) throws IOException {
    String dir = embeddingDirs.remove(table);
    if (dir != null) {
      DataPaths.deleteRecursively(dir);
    }
  }

  /** Broadcasts the model once, as the bytes of its model files (a {@link VideoModel} is not serializable). */
  @Override
  public Shared<VideoModel> shareModel(VideoModel model) {
    return new BroadcastModel(sc.broadcast(ModelBytes.of(model)));
  }

  @Override
  public Shared<float[]> shareArray(float[] values) {
    return new BroadcastValue<>(sc.broadcast(values));
  }

  /** A broadcast value; closing destroys the broadcast. */
  private static final class BroadcastValue<T> implements Shared<T> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<T> broadcast;

    BroadcastValue(Broadcast<T> broadcast) {
      this.broadcast = broadcast;
    }

    @Override
    public T get() {
      return broadcast.value();
    }

    @Override
    public void close() {
      broadcast.destroy();
    }
  }

  /** A broadcast model, decoded once per JVM. */
  private static final class BroadcastModel implements Shared<VideoModel> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<ModelBytes> broadcast;

    BroadcastModel(Broadcast<ModelBytes> broadcast) {
      this.broadcast = broadcast;
    }

    @Override
    public VideoModel get() {
      return broadcast.value().model();
    }

    @Override
    public void close() {
      broadcast.destroy();
    }
  }

  /**
   * Deletes the temporary working directory this engine made, if it made one (a directory it was
   * given stays), and leaves the Spark context running: its owner (the CLI, a test) stops it.
   */
  @Override
  public void close() {
    if (ownsWorkDir) {
      deleteQuietly(workDir);
    }
  }

  /** Deletes intermediate data; a failure to do so is logged, never thrown over the job's outcome. */
  private static void deleteQuietly(String dir) {
    try {
      DataPaths.deleteRecursively(dir);
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not delete the intermediate data in {}: {}", dir, e.toString());
    }
  }
}
