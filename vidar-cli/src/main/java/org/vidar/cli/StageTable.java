package org.vidar.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.InputFile;
import org.vidar.data.ProgressSink;
import org.vidar.data.SkipReport;
import org.vidar.eval.EvalReport;
import org.vidar.inference.ModelEvaluation;
import org.vidar.model.VideoModel;
import org.vidar.train.Checkpoints;
import org.vidar.train.MetricsLine;
import org.vidar.train.MetricsLog;
import org.vidar.train.Provenance;
import org.vidar.train.StageResult;
import org.vidar.train.Trainer;

/**
 * What {@code vidar train} does after every stage: writes the checkpoint, scores the validation
 * files, and prints the stage's row (seconds, training loss, validation metrics, parameters); with a
 * {@link MetricsLog}, it also scores every pre-training epoch and writes each epoch's and each
 * stage's figures there, the printed ones from the same {@link MetricsLine}.
 */
final class StageTable implements Trainer.Listener {
  private final PrintStream out;
  private final Checkpoints checkpoints;
  private final List<String> classNames;
  private final List<InputFile> validate;
  private final BadRecordPolicy policy;
  private final int topK;
  private final int chunkRows;
  private final boolean frameLevel;
  private final long start = System.nanoTime();
  private Provenance provenance;
  private long videos = -1;
  // Frame level: the frames training reads of a video, from the local engine's load (pre-training
  // ends before the engine counts them), then as counted over the shards.
  private double framesPerVideo = Double.NaN;
  private long skipped;
  private String bestStage;
  private double bestGap = Double.NEGATIVE_INFINITY;
  private VideoModel bestModel;
  private EvalReport bestReport;
  private MetricsLog metrics;
  private ProgressSink progress = ProgressSink.NONE;
  private double secondsBefore; // the training seconds of the stages before this one
  private double lastEpochSeconds;
  private String lastStage;
  private long epochVideos = -1; // the videos a pre-training epoch trains on, once known
  private int epochs; // pre-training epochs so far

  StageTable(PrintStream out, Checkpoints checkpoints, List<String> classNames, Provenance provenance,
      List<InputFile> validate, BadRecordPolicy policy, int topK, int chunkRows, boolean frameLevel) {
    this.out = out;
    this.checkpoints = checkpoints;
    this.classNames = classNames;
    this.provenance = provenance;
    this.validate = validate;
    this.policy = policy;
    this.topK = topK;
    this.chunkRows = chunkRows;
    this.frameLevel = frameLevel;
  }

  /** The run's first lines: kernels and engine, the table's header, where a resumed run continues. */
  void start(String kernels, Provenance.EngineInfo engine, Optional<Checkpoints.Checkpoint> resume) {
    out.printf(Locale.ROOT, "kernels: %s; engine: %s%n", kernels,
        engine.name().equals("spark") ? "spark (" + engine.master() + ")" : "local (" + engine.threads() + " threads)");
    out.printf(Locale.ROOT, "%-16s %8s %9s%s %10s %8s %8s %8s %8s %12s%n", "stage", "seconds", "videos/s",
        frameLevel ? String.format(Locale.ROOT, " %10s", "frames/s") : "", "train loss", "GAP@" + topK, "Hit@1", "PERR",
        "MAP", "parameters");
    resume.ifPresent(c -> out.printf(Locale.ROOT, "resuming after stage %d (%s) from %s%n", c.stage(),
        c.saved().provenance().path("stage").asText("?"), checkpoints.directory()));
  }

  /** Writes every epoch's and stage's figures to {@code log} from now on, continuing its seconds. */
  void recordTo(MetricsLog log) {
    metrics = log;
    secondsBefore = log.secondsBefore();
  }

  /** Tells {@code sink} how far every stage, and every validation, is from now on. */
  void progressTo(ProgressSink sink) {
    progress = sink;
  }

  @Override
  public ProgressSink progress() {
    return progress;
  }

  /** The local engine has read its training videos. */
  void loaded(org.vidar.data.batch.VideoDataset data, SkipReport skips) {
    long count = data.size();
    epochVideos = count;
    if (count > 0) {
      // Pre-training reads the sampled frames of each video (drawn afresh each epoch), else all.
      int sampled = data.sampling().frames();
      framesPerVideo = sampled > 0 ? sampled : data.featureRows() / (double) count;
    }
    String frames = data.level() == org.vidar.data.FeatureSpec.Level.FRAME
        ? String.format(Locale.ROOT, " (%d frames, %.1f MiB in memory, a byte a value)", data.featureRows(),
            data.featureBytes() / (double) (1 << 20))
        : "";
    out.printf(Locale.ROOT, "loaded %d training videos%s in %.1f s%n", count, frames,
        (System.nanoTime() - start) / 1e9);
    if (skips.total() > 0) {
      System.err.print(skips.summary());
    }
  }

  @Override
  public void epochDone(int epoch, StageResult result, double seconds) {
    epochs++;
    if (metrics != null) {
      double rate = epochVideos > 0 && seconds > lastEpochSeconds ? epochVideos / (seconds - lastEpochSeconds)
          : Double.NaN;
      lastEpochSeconds = seconds;
      append(line(MetricsLine.EPOCH, "pretrain", epoch, seconds, result, evaluate(result.model()), rate));
    }
  }

  @Override
  public void heldOut(long trained, int scored) {
    epochVideos = trained;
    out.printf(Locale.ROOT, "pre-training trains on %d videos a pass and holds the others out (%d of them scored) to "
        + "decide when it, and each Stage 1 class group, stops%n", trained, scored);
  }

  @Override
  public void pretrainSkipped() {
    double holdout = provenance.train().pretrainHoldout();
    out.printf(Locale.ROOT, "no pre-training: the model has no trunk, so Stage 1 trains its heads from scratch%s%n",
        holdout > 0 ? String.format(Locale.ROOT, " (each class group holds out %.0f %% of the training videos, by id, "
            + "to decide when it stops)", 100 * holdout) : "");
  }

  @Override
  public void dataCounted(Trainer.ClassCounts counts) {
    videos = counts.videos();
    if (frameLevel && videos > 0) {
      framesPerVideo = counts.frames() / (double) videos;
    }
    provenance = provenance.counted(videos, skipped);
  }

  @Override
  public void stageDone(String stage, StageResult result, double seconds) {
    VideoModel m = result.model();
    try {
      checkpoints.write(stage, m, classNames, provenance.toJson());
    } catch (IOException e) {
      throw new UncheckedIOException("writing the checkpoint of " + stage, e);
    }
    EvalReport r = null;
    if (!validate.isEmpty()) {
      try {
        ModelEvaluation.FileResult scored = validation(m);
        skipped += scored.skipped().total();
        r = scored.report();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (r.gap() >= bestGap) { // on a tie the later stage, the one a run without validation writes
        bestGap = r.gap();
        bestStage = stage;
        bestModel = m;
        bestReport = r;
      }
    }
    lastStage = stage;
    MetricsLine row = line(MetricsLine.STAGE, stage, -1, seconds, result, r, videosPerSecond(stage, result, seconds));
    secondsBefore += seconds;
    out.printf(Locale.ROOT, "%-16s %8.1f %9s%s %10s %8s %8s %8s %8s %12d%n", stage, row.stageSeconds(),
        Double.isNaN(row.videosPerSecond()) ? "-" : String.format(Locale.ROOT, "%.0f", row.videosPerSecond()),
        !frameLevel ? "" : String.format(Locale.ROOT, " %10s", Double.isNaN(row.framesPerSecond()) ? "-"
            : String.format(Locale.ROOT, "%.0f", row.framesPerSecond())),
        Double.isNaN(row.trainLoss()) ? "-" : String.format(Locale.ROOT, "%.5f", row.trainLoss()),
        fmt(row.gap()), fmt(row.hit1()), fmt(row.perr()), fmt(row.map()), row.parameters());
    if (result.remark() != null) {
      out.println(stage + ": " + result.remark());
    }
    append(row);
  }

  /** One epoch's or stage's figures; {@code seconds} are the stage's so far, {@code r} null without validation. */
  private MetricsLine line(String kind, String stage, int epoch, double seconds, StageResult result, EvalReport r,
      double rate) {
    return new MetricsLine(kind, stage, epoch, secondsBefore + seconds, seconds, result.loss(), topK,
        r == null ? Double.NaN : r.gap(), r == null ? Double.NaN : r.hit1(), r == null ? Double.NaN : r.perr(),
        r == null ? Double.NaN : r.map(), rate, frameLevel ? rate * framesPerVideo : Double.NaN,
        result.model().parameterCount());
  }

  private void append(MetricsLine line) {
    if (metrics == null) {
      return;
    }
    try {
      metrics.append(line);
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + metrics, e);
    }
  }

  /** The validation metrics of an epoch's model (null without validation files). */
  private EvalReport evaluate(VideoModel m) {
    if (validate.isEmpty()) {
      return null;
    }
    try {
      // Its skipped records are those every stage's scoring counts: not counted again.
      return validation(m).report();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code m} scored on the validation files, as progress step "validation". */
  private ModelEvaluation.FileResult validation(VideoModel m) throws IOException {
    return ModelEvaluation.evaluate(m, validate, policy, org.vidar.data.LabelPolicy.REQUIRED, topK, chunkRows,
        "validation", progress);
  }

  /**
   * Training videos through a stage per second: pre-training's epochs times the videos an epoch
   * trains on; Stage 1's passes over the embeddings (per class group on average; each group reads
   * every video for its own classes) and Stage 2's gradient evaluations, each a pass over every
   * video. NaN when a figure is missing.
   */
  private double videosPerSecond(String stage, StageResult result, double seconds) {
    double passes;
    long perPass;
    if (stage.equals("pretrain")) {
      passes = epochs;
      perPass = epochVideos;
    } else if (result.optimization() == null) {
      return Double.NaN;
    } else if (stage.endsWith("heads")) {
      passes = result.passes();
      perPass = videos;
    } else {
      passes = result.optimization().evaluations();
      perPass = videos;
    }
    return passes > 0 && perPass > 0 && seconds > 0 ? passes * perPass / seconds : Double.NaN;
  }

  /**
   * With validation files, the model of the stage that scored the best validation GAP (a later
   * stage that scores lower is not the one written; every stage stays in the checkpoints).
   */
  Optional<VideoModel> best() {
    return Optional.ofNullable(bestModel);
  }

  /**
   * The stage whose model is written: the best-validated one of this run (a resumed run's earlier
   * stages are not candidates), else the last.
   */
  String writtenStage() {
    return bestModel != null ? bestStage : lastStage;
  }

  /**
   * The validation metrics of the model written (its per-class AP included), when there were
   * validation files.
   */
  Optional<EvalReport> writtenReport() {
    return Optional.ofNullable(bestReport);
  }

  /** The last line: where the model went. */
  void done(String dir, VideoModel model) {
    if (bestModel != null && !bestStage.equals(lastStage)) {
      out.printf(Locale.ROOT, "writing the model of stage '%s', the best on the validation files (GAP@%d %.4f); "
          + "every stage is in the checkpoints%n", bestStage, topK, bestGap);
    }
    out.printf(Locale.ROOT, "model written to %s (%d parameters, %d experts) in %.1f s in all%n", dir,
        model.parameterCount(), model.allocation().totalExperts(), (System.nanoTime() - start) / 1e9);
  }

  /** Training videos the engine counted (-1 before). */
  long videos() {
    return videos;
  }

  /** Validation records skipped so far. */
  long skipped() {
    return skipped;
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
  }
}
