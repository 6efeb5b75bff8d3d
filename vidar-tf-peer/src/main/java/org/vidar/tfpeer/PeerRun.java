package org.vidar.tfpeer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * One peer run: loads the videos (video-level features, or quantized frames for a frame-level model),
 * builds the model's graph, then per epoch trains over the shuffled
 * training videos, scores every validation video into {@code epoch-NNN.csv} and appends a line to
 * {@code log.tsv} (and stdout). Training time counts only the epoch loop: batch assembly and
 * TensorFlow steps, not loading, graph set-up or validation scoring.
 */
final class PeerRun {
  private final PeerConfig config;
  private final PrintStream results;
  private final PrintStream progress;

  /** The outcome of a run: loading time and the figures of every epoch. */
  record Outcome(double loadSeconds, List<EpochStats> epochs) {}

  /** A run of {@code config} printing log lines to {@code results} and progress to {@code progress}. */
  PeerRun(PeerConfig config, PrintStream results, PrintStream progress) {
    this.config = config;
    this.results = results;
    this.progress = progress;
  }

  /** Runs every epoch. */
  Outcome run() throws IOException {
    List<Path> trainFiles = InputFiles.resolve(config.train());
    List<Path> validateFiles = InputFiles.resolve(config.validate());
    Files.createDirectories(config.out());

    long t0 = System.nanoTime();
    LabelledVideos train = load(trainFiles);
    double trainLoadSeconds = seconds(t0);
    long t1 = System.nanoTime();
    LabelledVideos validate = load(validateFiles);
    double validateLoadSeconds = seconds(t1);
    if (train.size() == 0) {
      throw new IOException("the training files hold no videos: " + trainFiles);
    }
    progress.printf(Locale.ROOT, "tf-peer: loaded %d training videos (%d files) in %.2f s, %d validation"
        + " videos (%d files) in %.2f s%n", train.size(), trainFiles.size(), trainLoadSeconds,
        validate.size(), validateFiles.size(), validateLoadSeconds);

    // One root stream per run, split once for the weights and once for the shuffles, so changing the
    // model's size does not change the order the videos are seen in.
    SplittableRandom root = new SplittableRandom(config.seed());
    SplittableRandom initRandom = root.split();
    SplittableRandom shuffleRandom = root.split();
    // Frame-level only, split after the others so the video-level streams stay as they were: the
    // frames training samples, and the seed of the frames every scoring samples (the same each epoch).
    SplittableRandom frameRandom = config.model().frameLevel() ? root.split() : null;
    long scoreSeed = config.model().frameLevel() ? root.split().nextLong() : 0;

    long t2 = System.nanoTime();
    ConfigProto sessionConfig = ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(config.intraOpThreads())
        .setInterOpParallelismThreads(config.interOpThreads())
        .build();
    try (PeerGraph graph = PeerGraph.build(config, train.dimension(), initRandom);
        Session session = new Session(graph.graph(), sessionConfig)) {
      session.initialize();
      double setupSeconds = seconds(t2);
      progress.printf(Locale.ROOT, "tf-peer: TensorFlow %s, %s model, graph and session ready in %.2f s%n",
          org.tensorflow.TensorFlow.version(), config.model().cliName(), setupSeconds);
      PeerManifest.write(config.out().resolve("peer.json"), config, trainFiles, validateFiles,
          train.size(), validate.size(), trainLoadSeconds, validateLoadSeconds, setupSeconds);

      Path log = config.out().resolve("log.tsv");
      Files.writeString(log, EpochStats.TSV_HEADER + "\n", StandardCharsets.UTF_8);
      results.println(EpochStats.TSV_HEADER);

      List<EpochStats> epochs = new ArrayList<>();
      BatchSource trainBatches = batches(train, frameRandom);
      int[] order = identity(train.size());
      double trainSeconds = 0;
      for (int epoch = 1; epoch <= config.epochs(); epoch++) {
        long start = System.nanoTime();
        shuffle(order, shuffleRandom);
        double lossSum = trainEpoch(session, graph, trainBatches, order);
        double epochSeconds = seconds(start);
        trainSeconds += epochSeconds;
        EpochStats stats = new EpochStats(epoch, trainSeconds, lossSum / train.size(),
            train.size() / epochSeconds);
        score(session, graph, validate, scoreSeed, epoch);
        epochs.add(stats);
        try (BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8,
            StandardOpenOption.APPEND)) {
          out.write(stats.tsvLine());
          out.write('\n');
        }
        results.println(stats.tsvLine());
        results.flush();
      }
      return new Outcome(trainLoadSeconds + validateLoadSeconds, List.copyOf(epochs));
    }
  }

  /** One pass over {@code order}; returns the batch-size-weighted sum of the batch losses. */
  private double trainEpoch(Session session, PeerGraph graph, BatchSource batches, int[] order) {
    double lossSum = 0;
    for (int from = 0; from < order.length; from += config.batch()) {
      int count = Math.min(config.batch(), order.length - from);
      try (TFloat32 x = batches.inputs(order, from, count);
          TFloat32 y = batches.labels(order, from, count);
          Result result = session.runner()
              .feed(graph.input(), x)
              .feed(graph.labels(), y)
              .addTarget(graph.trainStep())
              .fetch(graph.labelLoss())
              .run()) {
        float loss = ((TFloat32) result.get(0)).getFloat();
        if (!Float.isFinite(loss)) {
          throw new IllegalStateException("training diverged: batch loss " + loss + " at video "
              + from + " of the epoch (try a lower --lr or --clip)");
        }
        lossSum += (double) loss * count;
      }
    }
    return lossSum;
  }

  /**
   * Writes epoch-NNN.csv with every validation video's top classes; a frame-level model sees frames
   * sampled from a generator seeded by {@code scoreSeed}, so every epoch scores the same frames.
   */
  private void score(Session session, PeerGraph graph, LabelledVideos videos, long scoreSeed, int epoch)
      throws IOException {
    int classes = config.classes();
    BatchSource batches = batches(videos, config.model().frameLevel() ? new SplittableRandom(scoreSeed) : null);
    int[] order = identity(videos.size());
    float[] scores = new float[Math.multiplyExact(config.batch(), classes)];
    Path file = config.out().resolve(String.format(Locale.ROOT, "epoch-%03d.csv", epoch));
    try (PredictionCsv csv = new PredictionCsv(file, config.topK())) {
      for (int from = 0; from < order.length; from += config.batch()) {
        int count = Math.min(config.batch(), order.length - from);
        try (TFloat32 x = batches.inputs(order, from, count);
            Result result = session.runner().feed(graph.input(), x).fetch(graph.scoreProbabilities())
            .run()) {
          ((TFloat32) result.get(0))
              .copyTo(DataBuffers.of(scores, false, false).narrow((long) count * classes));
          for (int i = 0; i < count; i++) {
            csv.write(videos.ids().get(from + i), scores, i * classes, classes);
          }
        }
      }
      csv.commit();
    }
  }

  private LabelledVideos load(List<Path> files) throws IOException {
    return config.model().frameLevel() ? new FrameLoader(config.classes()).load(files)
        : new VideoLoader(config.classes()).load(files);
  }

  /** The batches of {@code videos}; a frame-level model's frames are drawn from {@code frameRandom}. */
  private BatchSource batches(LabelledVideos videos, SplittableRandom frameRandom) {
    if (videos instanceof FrameSet frames) {
      return new FrameBatchMaker(frames, config.classes(), config.batch(), config.sampleFrames(), frameRandom);
    }
    return new BatchMaker((VideoSet) videos, config.classes(), config.batch());
  }

  private static int[] identity(int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    return order;
  }

  /** Fisher-Yates over the previous epoch's order, so every epoch's order follows from the seed. */
  private static void shuffle(int[] order, SplittableRandom random) {
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
