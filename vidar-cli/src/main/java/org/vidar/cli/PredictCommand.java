package org.vidar.cli;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.vidar.data.AtomicOutput;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.InputFile;
import org.vidar.data.ProgressSink;
import org.vidar.data.SkipReport;
import org.vidar.eval.PredictionCsvWriter;
import org.vidar.eval.YouTube8mEvaluator;
import org.vidar.inference.StreamingScorer;
import org.vidar.model.VideoModel;
import org.vidar.model.io.ModelFiles;
import org.vidar.spark.SparkPredictor;
import org.vidar.spark.SparkTaskProgress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vidar predict}: the top classes of every video, in the Kaggle format. */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = {"Scores TFRecord files with a model and writes each video's top-k classes and scores as "
        + "the Kaggle CSV (VideoId,LabelConfidencePairs), streaming.",
        "Exit codes: 0 done, 1 failed, 3 done but bad records were skipped."})
final class PredictCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "FILES", description = "TFRecord files, directories or globs.")
  List<String> inputs;

  @Option(names = {"-m", "--model"}, required = true, paramLabel = "DIR", description = "Model directory.")
  String modelDir;

  @Option(names = {"-o", "--out"}, required = true, paramLabel = "CSV", description = "Predictions file to write.")
  String out;

  @Mixin EngineOptions engine;

  @Option(names = {"-k", "--top-k"}, defaultValue = "" + YouTube8mEvaluator.DEFAULT_TOP_K, description = "Classes per video (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--skip-bad-records", description = "Skip bad records, count them and report why.")
  boolean skipBad;

  @Option(names = "--parquet", paramLabel = "DIR",
      description = "Spark: also write the predictions as Parquet (video_id, classes, class_names, scores).")
  String parquet;

  @Option(names = "--class-groups", defaultValue = "1",
      description = "Spark: score the heads in this many class groups, no task holding more than the trunk and one "
          + "group's heads, for models larger than an executor's memory (default: ${DEFAULT-VALUE}, the whole model "
          + "per task).")
  int classGroups;

  @Override
  public Integer call() throws Exception {
    if (classGroups < 1) {
      throw new UsageException("--class-groups must be at least 1, got " + classGroups);
    }
    engine.check(topK);
    engine.requireSpark(parquet != null, "--parquet");
    engine.requireSpark(classGroups != 1, "--class-groups");
    List<InputFile> files = DataPaths.resolve(inputs);
    // Before the model is loaded and the files scored: a wrong output fails now, not at the end.
    new Outputs(inputs, files).input(modelDir)
        .file("--out", out)
        .newFolder("--parquet", parquet)
        .folder("--work-dir", engine.spark() ? engine.workDir : null, null)
        .prepare(System.err);
    ModelFiles.Saved saved = ModelFiles.load(modelDir);
    BadRecordPolicy policy = skipBad ? BadRecordPolicy.SKIP : BadRecordPolicy.FAIL;
    long start = System.nanoTime();
    return engine.spark() ? onSpark(saved, files, policy, start) : locally(saved.model(), files, policy, start);
  }

  /** A map-only Spark job, one task per file (or per file and class group). */
  private int onSpark(ModelFiles.Saved saved, List<InputFile> files, BadRecordPolicy policy, long start)
      throws IOException {
    SparkPredictor.Result r;
    // The session stops before the working directory goes: its tasks may read it until then.
    try (WorkDir work = WorkDir.of(engine.workDir); ProgressLine line = ProgressLine.onStderr()) {
      SparkSession session = engine.startSpark("vidar predict");
      try {
        // The executors score; the driver sees their tasks, which are the step's progress.
        ProgressSink progress = SparkTaskProgress.register(session, line);
        progress.begin("predict", 0, "videos");
        r = SparkPredictor.predict(session, saved.model(), new SparkPredictor.Request(files, policy, topK,
            engine.chunkRows, work.path(), out, parquet, saved.classNames(), classGroups));
        progress.end();
      } finally {
        session.stop();
      }
    }
    System.out.printf(Locale.ROOT, "wrote top-%d predictions of %d videos from %d file(s) to %s%s in %.1f s%n",
        topK, r.videos(), r.parts(), out, parquet == null ? "" : " and " + parquet, (System.nanoTime() - start) / 1e9);
    if (r.skipped().total() > 0) {
      System.err.print(r.skipped().summary());
      return ExitCodes.SKIPPED_RECORDS;
    }
    return ExitCodes.OK;
  }

  /** Streams the files through the model in this process. */
  private int locally(VideoModel model, List<InputFile> files, BadRecordPolicy policy, long start)
      throws IOException {
    int k = model.config().numClasses();
    long[] videos = new long[1];
    SkipReport skipped;
    try (AtomicOutput output = DataPaths.createAtomic(out); ProgressLine progress = ProgressLine.onStderr()) {
      PredictionCsvWriter writer = new PredictionCsvWriter(new OutputStreamWriter(output.stream(), StandardCharsets.UTF_8));
      // Videos to score need no labels (YouTube-8M's test split has none); how many there are is
      // not known before the files are read, so progress goes by their bytes.
      progress.begin("predict", StreamingScorer.bytes(files), "bytes");
      skipped = StreamingScorer.score(model, files, policy, org.vidar.data.LabelPolicy.OPTIONAL, engine.chunkRows,
          (id, labels, probs, offset) -> {
            writer.writeTop(id, probs, offset, k, topK);
            videos[0]++;
          }, progress);
      progress.end();
      writer.flush();
      output.commit();
    }
    System.out.printf(Locale.ROOT, "wrote top-%d predictions of %d videos to %s in %.1f s%n", topK, videos[0], out,
        (System.nanoTime() - start) / 1e9);
    if (skipped.total() > 0) {
      System.err.print(skipped.summary());
      return ExitCodes.SKIPPED_RECORDS;
    }
    return ExitCodes.OK;
  }
}
