package org.vidar.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.FeatureSpec;
import org.vidar.data.InputFile;
import org.vidar.data.VideoReader;
import org.vidar.data.batch.FrameSampling;
import org.vidar.data.batch.InMemoryPretrainData;
import org.vidar.data.batch.VideoDataset;
import org.vidar.eval.LabelTable;
import org.vidar.eval.PredictionCsvReader;
import org.vidar.eval.PredictionScoring;
import org.vidar.inference.ModelEvaluation;
import org.vidar.math.KernelProvider;
import org.vidar.model.ModelConfig;
import org.vidar.model.TrunkConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.HeadConfig;
import org.vidar.train.LocalEngine;
import org.vidar.train.StageResult;
import org.vidar.train.TrainConfig;
import org.vidar.train.Trainer;

/**
 * Time to quality, Vidar against the TensorFlow peer ({@code vidar-tf-peer}: the YouTube-8M starter
 * code's models trained with Adam by real TensorFlow) on the same files, the same machine, in one
 * run. Each system's curve is (cumulative training seconds, validation GAP@20) after every epoch
 * and, for Vidar, after every stage; loading and validation scoring are not training time. Every
 * GAP is computed by the same code ({@link PredictionScoring} on the peer's Kaggle CSVs, the same
 * evaluator on Vidar's scores). The table gives, for each of the peer's per-epoch GAP levels, the
 * time each system took to reach it, then each system's best GAP and its time.
 *
 * <p>Build the peer first: {@code mvn -B -q -Ptf-peer -pl vidar-tf-peer -am -DskipTests package}.
 * Run: {@code OPENBLAS_NUM_THREADS=1 java -Xmx12g $(cat vidar-cli/target/jvm-options.txt) -cp
 * vidar-bench/target/classes:$(cat vidar-bench/target/runtime-classpath.txt)
 * org.vidar.bench.TimeToQualityBench [dir=work/ttq] [videos=25000] [classes=300] [peers=mlp,moe@0.03]
 * [peerEpochs=20] [hidden=1024] [gating=true] [experts=4,8] [rounds=1] [headOptimizer=adam] [headEpochs=40]
 * [headL2=1e-8] [headDraws=8] [stageFrames=sample|all] [headStart=auto|grown|fresh] [groups=0] [lr=0.03] [batch=1024] [pretrainExperts=2] [lbfgs=50] [trunkSteps=10]} (the Vidar options default to the CLI's, but for the
 * trunk: {@code hidden=0} trains the CLI's default model; {@code groups=0} is the default class
 * group count). {@code peers} lists the peer's models, each with an optional {@code @} and Adam
 * learning rate, or is {@code none}.
 * {@code videos} counts both splits (a fifth validates); the data are written by {@code vidar
 * synth} on first use.
 *
 * <p>{@code level=frame} compares on frame-level data instead ({@code dir} defaults to {@code
 * work/ttq-frame}, written at the frame level only): the peer trains the starter's DbofModel
 * ({@code peers=dbof}, sampling {@code peerFrames=30} frames per video per step, its per-frame and
 * video-level widths {@code frameHidden=1024} and {@code videoHidden=1024}), Vidar its DBoF trunk of
 * the same widths ({@code vidar train}'s frame-level trunk: {@code pooling=swap}, {@code
 * batchNorm=true}, {@code batch=256}, {@code lr=0.003} as its defaults) on the frames its CLI
 * samples for training (drawn afresh each pre-training epoch, a fixed sample for the stages); Vidar scores validation videos on all their frames, the peer on a fixed-seed sample. The
 * GEMM efficiency table is replaced by frames per second of training.
 */
public final class TimeToQualityBench {
  private TimeToQualityBench() {}

  /** One point of a curve. */
  record Point(String label, double seconds, double gap) {}

  /** Pre-training's epochs on a curve and the training seconds at the last one. */
  record PretrainSpan(int epochs, double seconds) {
    static PretrainSpan of(List<Point> curve) {
      int epochs = 0;
      double seconds = 0;
      for (Point p : curve) {
        if (p.label().startsWith("pretrain epoch")) {
          epochs++;
          seconds = p.seconds();
        }
      }
      return new PretrainSpan(epochs, seconds);
    }
  }

  public static void main(String[] args) throws Exception {
    String level = BenchArgs.get(args, "level", "video");
    if (!level.equals("video") && !level.equals("frame")) {
      throw new IllegalArgumentException("level must be video or frame, got " + level);
    }
    boolean frameLevel = level.equals("frame");
    String dir = BenchArgs.get(args, "dir", frameLevel ? "work/ttq-frame" : "work/ttq");
    long videos = Long.parseLong(BenchArgs.get(args, "videos", "25000"));
    int classes = Integer.parseInt(BenchArgs.get(args, "classes", "300"));
    String peerList = BenchArgs.get(args, "peers", frameLevel ? "dbof" : "mlp,moe");
    int frameHidden = Integer.parseInt(BenchArgs.get(args, "frameHidden", "" + TrunkConfig.Dbof.DEFAULT_FRAME_HIDDEN));
    int videoHidden = Integer.parseInt(BenchArgs.get(args, "videoHidden", "" + TrunkConfig.Dbof.DEFAULT_VIDEO_HIDDEN));
    TrunkConfig.Pooling pooling = TrunkConfig.Pooling.valueOf(
        BenchArgs.get(args, "pooling", "swap").toUpperCase(Locale.ROOT));
    boolean batchNorm = Boolean.parseBoolean(BenchArgs.get(args, "batchNorm", "true")); // the CLI's default
    int peerFrames = Integer.parseInt(BenchArgs.get(args, "peerFrames", "30"));
    String[] peers = peerList.equals("none") ? new String[0] : peerList.split(",");
    int peerEpochs = Integer.parseInt(BenchArgs.get(args, "peerEpochs", "20"));
    String peerLauncher = BenchArgs.get(args, "peer", "vidar-tf-peer/tf-peer");
    int hidden = Integer.parseInt(BenchArgs.get(args, "hidden", "1024"));
    boolean gating = Boolean.parseBoolean(BenchArgs.get(args, "gating", "true"));
    String[] expertCounts = BenchArgs.get(args, "experts", "" + HeadConfig.DEFAULT_EXPERTS).split(",");
    int rounds = Integer.parseInt(BenchArgs.get(args, "rounds", "1"));
    int lbfgs = Integer.parseInt(BenchArgs.get(args, "lbfgs", "" + TrainConfig.DEFAULT_LBFGS_ITERATIONS));
    int trunkSteps = Integer.parseInt(BenchArgs.get(args, "trunkSteps", "" + TrainConfig.DEFAULT_TRUNK_STEPS));
    String headOptimizer = BenchArgs.get(args, "headOptimizer", TrainConfig.DEFAULT_HEAD_OPTIMIZER.name());
    int headEpochs = Integer.parseInt(BenchArgs.get(args, "headEpochs", "" + TrainConfig.DEFAULT_HEAD_EPOCHS));
    float headL2 = Float.parseFloat(BenchArgs.get(args, "headL2", "" + HeadConfig.DEFAULT_L2));
    int headGroups = Integer.parseInt(BenchArgs.get(args, "groups", "" + TrainConfig.AUTO_HEAD_GROUPS));
    // The CLI's defaults for the level.
    FeatureSpec.Level trainedLevel = frameLevel ? FeatureSpec.Level.FRAME : FeatureSpec.Level.VIDEO;
    int batchSize = Integer.parseInt(BenchArgs.get(args, "batch", "" + TrainConfig.batchSizeFor(trainedLevel,
        frameLevel || hidden > 0)));
    double learningRate = Double.parseDouble(BenchArgs.get(args, "lr", "" + TrainConfig.learningRateFor(trainedLevel,
        frameLevel || hidden > 0)));
    int pretrainExperts = Integer.parseInt(BenchArgs.get(args, "pretrainExperts",
        "" + TrainConfig.DEFAULT_PRETRAIN_EXPERTS));
    System.out.printf(Locale.ROOT, "kernels %s, %d cores, %s%n", KernelProvider.get().name(),
        Runtime.getRuntime().availableProcessors(), org.vidar.train.Provenance.Environment.current().cpu());
    BenchData.qualitySplits(dir, videos, classes, args, frameLevel);
    double peakBefore = frameLevel ? 0 : sgemmPeak(Runtime.getRuntime().availableProcessors());
    List<String> trainGlob = List.of(dir + "/" + level + "/train*");
    List<String> validateGlob = List.of(dir + "/" + level + "/validate*");
    FeatureSpec spec = frameLevel ? FeatureSpec.youtube8mFrame(classes) : FeatureSpec.youtube8mVideo(classes);
    // the peer's trunk the same widths as Vidar's, and the frames it samples named (they count its frames/s)
    List<String> peerOptions = frameLevel ? List.of("--sample-frames", "" + peerFrames, "--cluster-size",
        "" + frameHidden, "--hidden", "" + videoHidden) : List.of();
    List<InputFile> validateFiles = DataPaths.resolve(validateGlob);
    LabelTable labels;
    try (VideoReader reader = VideoReader.labelsOnly(validateFiles, spec, BadRecordPolicy.FAIL)) {
      labels = LabelTable.read(reader);
    }

    List<List<Point>> peerCurves = new ArrayList<>();
    for (String peer : peers) {
      peerCurves.add(runPeer(peerLauncher, peer, peerEpochs, classes, DataPaths.resolve(trainGlob), validateFiles,
          Path.of(dir, "peer-" + peer), labels, peerOptions, frameLevel ? peerFrames : 0));
    }

    long l0 = System.nanoTime();
    // frame level: every frame held, read as `vidar train` reads them (a fresh sample each
    // pre-training epoch, a fixed one for the stages); validation on all frames
    FrameSampling trainFrames = frameLevel ? TrainConfig.defaults().frameSampling() : FrameSampling.ALL;
    VideoDataset train = VideoDataset.load(DataPaths.resolve(trainGlob), spec, BadRecordPolicy.FAIL,
        FrameSampling.ALL).sampled(trainFrames);
    VideoDataset validate = VideoDataset.load(validateFiles, spec, BadRecordPolicy.FAIL, FrameSampling.ALL);
    System.out.printf(Locale.ROOT, "vidar: loaded %d training and %d validation videos in %.1f s%n", train.size(),
        validate.size(), (System.nanoTime() - l0) / 1e9);
    for (String experts : expertCounts) {
      System.out.printf(Locale.ROOT, "%nvidar: %s experts per class%n", experts);
      TrainConfig defaults = TrainConfig.defaults();
      ModelConfig mc = new ModelConfig(spec, frameLevel
          ? new TrunkConfig.Dbof(frameHidden, false, pooling, videoHidden, batchNorm)
          : new TrunkConfig.VideoMlp(hidden == 0 ? List.of() : List.of(hidden), gating && hidden > 0));
      boolean continueHeads = TrainConfig.HeadStart.valueOf(BenchArgs.get(args, "headStart", "auto")
          .toUpperCase(Locale.ROOT)).continuesHeads(mc.hasTrainableTrunk());
      TrainConfig config = new TrainConfig(defaults.seed(), defaults.pretrainEpochs(), batchSize,
          org.vidar.optim.AdamConfig.of(learningRate),
          HeadConfig.fixed(pretrainExperts, defaults.pretrainHeads().l2()), rounds, HeadConfig.fixed(Integer.parseInt(experts), headL2),
          headGroups, TrainConfig.stage1Optimizer(lbfgs), trunkSteps, TrainConfig.irpropFor(spec.level()), defaults.trunkL2(),
          defaults.chunkRows(), defaults.embeddingPrecision(), defaults.trunkFraction(), continueHeads,
          defaults.sampleFrames(), defaults.pretrainHoldout(), defaults.pretrainPatience(), TrainConfig.DEFAULT_PRETRAIN_DECAY, Integer.parseInt(BenchArgs.get(args, "headDraws", "" + TrainConfig.DEFAULT_HEAD_DRAWS)),
          TrainConfig.HeadOptimizer.valueOf(headOptimizer.toUpperCase(Locale.ROOT)), headEpochs,
          Double.parseDouble(BenchArgs.get(args, "clip", "" + TrainConfig.pretrainClipFor(spec.level(), mc.hasTrainableTrunk()))));
      List<Point> vidar = new ArrayList<>();
      TrainingClock clock = new TrainingClock(m -> ModelEvaluation.evaluate(m, validate, 20, 1024).gap());
      StageOnePasses passes = new StageOnePasses(clock);
      VideoDataset staged = "all".equals(BenchArgs.get(args, "stageFrames", "sample")) ? train.sampled(FrameSampling.ALL) : train;
      try (LocalEngine engine = new LocalEngine(staged, Runtime.getRuntime().availableProcessors())) {
        new Trainer(config).train(engine, new InMemoryPretrainData(train), mc, passes.listener(vidar));
      }
      vidar.sort(java.util.Comparator.comparingDouble(Point::seconds));
      print(peers, peerCurves, vidar);
      if (frameLevel) {
        frameRates(peers, peerCurves, peerFrames, train.size(), vidar, config);
      } else {
        efficiency(train.size(), vidar, passes.stageOne(), config, mc, classes, peakBefore);
      }
    }
  }

  /**
   * Frames per second of training: the peer's over all its epochs (videos times the frames it samples
   * per video per step, over its training time), Vidar's in pre-training (epochs times the videos it
   * trains on, not the held-out ones it scores, times the frames it keeps per video, over
   * pre-training's time, held-out scoring included). Vidar's later stages work on embeddings and
   * whole-trunk passes, which frames per second does not describe.
   */
  private static void frameRates(String[] peers, List<List<Point>> peerCurves, int peerFrames, int videos,
      List<Point> vidar, TrainConfig config) {
    System.out.printf(Locale.ROOT, "%nFrames per second of training (%d training videos)%n"
        + "| system | what | seconds | frames | frames/s |%n|---|---|---|---|---|%n", videos);
    for (int i = 0; i < peers.length; i++) {
      List<Point> curve = peerCurves.get(i);
      if (curve.isEmpty()) {
        continue;
      }
      double seconds = curve.get(curve.size() - 1).seconds();
      double frames = (double) curve.size() * videos * peerFrames;
      System.out.printf(Locale.ROOT, "| TF %s | %d epochs, %d frames a video a step | %.1f | %.3g | %.0f |%n",
          peers[i], curve.size(), peerFrames, seconds, frames, frames / seconds);
    }
    PretrainSpan span = PretrainSpan.of(vidar);
    int epochs = span.epochs();
    double pretrainSeconds = span.seconds();
    if (epochs > 0) {
      double frames = epochs * videos * (1 - config.pretrainHoldout()) * config.sampleFrames();
      System.out.printf(Locale.ROOT, "| Vidar | pre-training, %d epochs, %d frames a video (%.0f %% held out) "
              + "| %.1f | %.3g | %.0f |%n", epochs, config.sampleFrames(), 100 * config.pretrainHoldout(),
          pretrainSeconds, frames, frames / pretrainSeconds);
    }
  }

  /**
   * GEMM GFLOP/s of pre-training and Stage 1 as a fraction of sgemm measured here, now, on as many
   * threads as the stages use (one single-threaded GEMM per core). Flops are the dense products
   * only, counted from the layout: per video, forward {@code 2·in·out} for every trunk weight,
   * the same again for its gradient and for the input gradient (not for the first layer), and
   * {@code 2·H·C} for the heads' C expert and gate columns, twice more when training them (twice
   * only when no trunk needs the embedding gradient); the held-out videos each epoch scores add
   * their forward pass. Stage 1's work is {@link StageResult#passes}: whole passes over all the
   * heads' columns that its groups' passes came to (each class stops on its own and leaves the GEMMs
   * when enough have), times the whole heads' columns, and the trunk's forward pass over every
   * video that gives the heads their embeddings. (Video level only: the frame level reports frames/s.)
   */
  private static void efficiency(int videos, List<Point> vidar, StageResult heads, TrainConfig config,
      ModelConfig mc, int classes, double peakBefore) {
    // the machine's best: sgemm measured before the runs and again now, the faster taken
    double peakAfter = sgemmPeak(Runtime.getRuntime().availableProcessors());
    double peak = Math.max(peakBefore, peakAfter);
    VideoModel shape = VideoModel.zeros(mc, org.vidar.model.moe.ExpertAllocation.fixed(classes,
        config.pretrainHeads().maxExperts()));
    long trunkWeights = 0;
    long firstLayer = -1;
    for (org.vidar.model.param.TensorRef t : shape.trunk().layout().tensors()) {
      if (t.name().endsWith("/weight")) {
        long w = (long) t.dim(0) * t.dim(1);
        trunkWeights += w;
        if (firstLayer < 0) {
          firstLayer = w;
        }
      }
    }
    long h = shape.trunk().outputDim();
    long pretrainColumns = (long) classes * (2L * config.pretrainHeads().maxExperts() + 1);
    boolean trunk = trunkWeights > 0;
    double perVideo = 2.0 * trunkWeights * 2 + 2.0 * (trunkWeights - Math.max(0, firstLayer))
        + 2.0 * h * pretrainColumns * (trunk ? 3 : 2);
    PretrainSpan span = PretrainSpan.of(vidar);
    int epochs = span.epochs();
    double pretrainSeconds = span.seconds();
    double headSeconds = 0;
    double before = 0;
    for (Point p : vidar) {
      if (p.label().equals("round 1 heads")) {
        headSeconds = p.seconds() - before;
      }
      if (p.label().equals("pretrain")) {
        before = p.seconds();
      }
    }
    double trained = videos * (1 - config.pretrainHoldout());
    double heldOut = Math.min(videos * config.pretrainHoldout(), org.vidar.train.Pretrain.MAX_HELD_OUT);
    double pretrainForward = 2.0 * trunkWeights + 2.0 * h * pretrainColumns;
    double pretrainFlops = epochs * (trained * perVideo + heldOut * pretrainForward);
    long headColumns = (long) classes * (2L * config.heads().maxExperts() + 1);
    int groups = config.headGroupsFor(org.vidar.model.moe.ExpertAllocation.fixed(classes, config.heads().maxExperts()));
    double passes = heads == null || Double.isNaN(heads.passes()) ? 0 : heads.passes();
    // trained rows: forward and weight gradient; held-out rows: forward only
    double headFlops = passes * videos * (4.0 - 2.0 * config.pretrainHoldout()) * h * headColumns
        + videos * 2.0 * trunkWeights;
    System.out.printf(Locale.ROOT, "%nEfficiency (GEMM flops counted from the layout; sgemm 1024 on %d threads at once: "
        + "%.0f GFLOP/s, the faster of %.0f before the runs and %.0f after)%n| stage | seconds | GFLOP | GFLOP/s | of sgemm |"
        + "%n|---|---|---|---|---|%n", Runtime.getRuntime().availableProcessors(), peak, peakBefore, peakAfter);
    if (epochs > 0) {
      System.out.printf(Locale.ROOT, "| pre-training (%d epochs, with held-out scoring) | %.1f | %.0f | %.0f | %.0f %% |%n",
          epochs, pretrainSeconds, pretrainFlops / 1e9, pretrainFlops / 1e9 / pretrainSeconds,
          100 * pretrainFlops / 1e9 / pretrainSeconds / peak);
    }
    if (headSeconds > 0 && config.headOptimizer() == TrainConfig.HeadOptimizer.ADAM) {
      System.out.printf(Locale.ROOT, "| Stage 1 (Adam, %d groups, %.1f whole passes of work) "
          + "| %.1f | %.0f | %.0f | %.0f %% |%n", groups, passes,
          headSeconds, headFlops / 1e9, headFlops / 1e9 / headSeconds, 100 * headFlops / 1e9 / headSeconds / peak);
    }
  }

  /** GFLOP/s of single-threaded sgemm 1024³ run on {@code threads} threads at once, summed. */
  private static double sgemmPeak(int threads) {
    org.vidar.math.Kernels k = KernelProvider.get();
    int n = 1024;
    double[] rates = new double[threads];
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int id = t;
      workers[t] = new Thread(() -> {
        float[] a = new float[n * n];
        float[] b = new float[n * n];
        float[] c = new float[n * n];
        java.util.Arrays.fill(a, 0.5f);
        java.util.Arrays.fill(b, 0.25f);
        double best = 0;
        for (int rep = 0; rep < 20; rep++) {
          long t0 = System.nanoTime();
          k.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
          best = Math.max(best, 2.0 * n * n * n / ((System.nanoTime() - t0) / 1e9) / 1e9);
        }
        rates[id] = best;
      });
      workers[t].start();
    }
    double sum = 0;
    for (int t = 0; t < threads; t++) {
      try {
        workers[t].join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sum += rates[t];
    }
    return sum;
  }

  /**
   * Runs the peer in its own JVM and scores the validation CSV it wrote after every epoch; {@code
   * peer} is the peer's model ({@code moe}, {@code mlp} or {@code dbof}), optionally with {@code @lr},
   * its Adam learning rate (the peer's default otherwise); {@code options} go to the peer as they are.
   * When {@code framesPerVideo > 0} (the frames it samples per video per step) each epoch's line also
   * gives its frames per second.
   */
  static List<Point> runPeer(String launcher, String peer, int epochs, int classes, List<InputFile> train,
      List<InputFile> validate, Path out, LabelTable labels, List<String> options, int framesPerVideo)
      throws IOException, InterruptedException {
    String model = peer.contains("@") ? peer.substring(0, peer.indexOf('@')) : peer;
    if (!new File(launcher).canExecute()) {
      throw new IOException(launcher + " is missing: build the peer with mvn -B -q -Ptf-peer -pl vidar-tf-peer -am "
          + "-DskipTests package");
    }
    DataPaths.deleteRecursively(out.toString());
    List<String> cmd = new ArrayList<>(List.of(launcher, "--classes", Integer.toString(classes), "--model", model,
        "--epochs", Integer.toString(epochs), "--out", out.toString()));
    if (peer.contains("@")) {
      cmd.addAll(List.of("--lr", peer.substring(peer.indexOf('@') + 1)));
    }
    cmd.addAll(options);
    cmd.add("--train");
    train.forEach(f -> cmd.add(f.name()));
    cmd.add("--validate");
    validate.forEach(f -> cmd.add(f.name()));
    Path log = Files.createDirectories(out.getParent()).resolve("peer-" + peer + ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (p.waitFor() != 0) {
      throw new IOException("the peer failed (exit " + p.exitValue() + "); its output is in " + log);
    }
    List<Point> curve = new ArrayList<>();
    for (String line : Files.readAllLines(out.resolve("log.tsv"))) {
      String[] f = line.split("\t");
      if (f.length < 2 || !f[0].matches("\\d+")) {
        continue; // the header
      }
      int epoch = Integer.parseInt(f[0]);
      Path csv = out.resolve(String.format(Locale.ROOT, "epoch-%03d.csv", epoch));
      PredictionScoring scoring = new PredictionScoring(labels, classes, 20);
      try (PredictionCsvReader r = new PredictionCsvReader(
          new BufferedReader(new InputStreamReader(Files.newInputStream(csv), StandardCharsets.UTF_8)),
          csv.toString(), classes)) {
        scoring.add(r);
      }
      double gap = scoring.finish().report().gap();
      double seconds = Double.parseDouble(f[1]);
      String rate = framesPerVideo > 0 && f.length > 3
          ? String.format(Locale.ROOT, "  %.0f frames/s", Double.parseDouble(f[3]) * framesPerVideo) : "";
      System.out.printf(Locale.ROOT, "tf %-4s: epoch %-3d %8.1f s  GAP@20 %.4f%s%n", peer, epoch, seconds, gap, rate);
      curve.add(new Point("epoch " + epoch, seconds, gap));
    }
    return curve;
  }

  /** The first time a curve reaches {@code gap}, or NaN. */
  static double timeTo(List<Point> curve, double gap) {
    for (Point p : curve) {
      if (p.gap() >= gap) {
        return p.seconds();
      }
    }
    return Double.NaN;
  }

  static Point best(List<Point> curve) {
    Point b = curve.get(0);
    for (Point p : curve) {
      if (p.gap() > b.gap()) {
        b = p;
      }
    }
    return b;
  }

  private static void print(String[] peers, List<List<Point>> peerCurves, List<Point> vidar) {
    Point vb = best(vidar);
    Point last = vidar.get(vidar.size() - 1);
    for (int i = 0; i < peers.length; i++) {
      List<Point> peer = peerCurves.get(i);
      System.out.printf(Locale.ROOT, "%nTime to TensorFlow %s's GAPs (seconds of training; its epochs where GAP rose "
          + "by 0.01 or more, and its best)%n", peers[i]);
      System.out.printf(Locale.ROOT, "| GAP@20 | TF %s | Vidar | Vidar / TF |%n|---|---|---|---|%n", peers[i]);
      Point pb = best(peer);
      double shown = Double.NEGATIVE_INFINITY;
      for (Point p : peer) {
        if (p.gap() >= shown + 0.01 || p == pb) {
          shown = p.gap();
          double v = timeTo(vidar, p.gap());
          System.out.printf(Locale.ROOT, "| %.4f | %.1f | %s | %s |%n", p.gap(), p.seconds(),
              Double.isNaN(v) ? "not reached" : String.format(Locale.ROOT, "%.1f", v),
              Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v / p.seconds()));
        }
      }
      double toBest = timeTo(vidar, pb.gap());
      Point within = bestBy(vidar, 3 * pb.seconds());
      System.out.printf(Locale.ROOT, "TF %s best GAP %.4f at %.1f s (%s). Vidar: to it in %s (%s x TF's time); best "
              + "within 3x TF's time %.4f (%+.4f) at %.1f s%n", peers[i], pb.gap(), pb.seconds(), pb.label(),
          Double.isNaN(toBest) ? "never" : String.format(Locale.ROOT, "%.1f s", toBest),
          Double.isNaN(toBest) ? "-" : String.format(Locale.ROOT, "%.2f", toBest / pb.seconds()),
          within == null ? Double.NaN : within.gap(), within == null ? Double.NaN : within.gap() - pb.gap(),
          within == null ? Double.NaN : within.seconds());
    }
    System.out.printf(Locale.ROOT, "Vidar best GAP %.4f at %.1f s (%s); final %.4f at %.1f s (%s)%n", vb.gap(),
        vb.seconds(), vb.label(), last.gap(), last.seconds(), last.label());
  }

  /** The best point of a curve reached by {@code seconds}, or null. */
  static Point bestBy(List<Point> curve, double seconds) {
    Point b = null;
    for (Point p : curve) {
      if (p.seconds() <= seconds && (b == null || p.gap() > b.gap())) {
        b = p;
      }
    }
    return b;
  }
}
