package org.vidar.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vidar.data.DataPaths;
import org.vidar.data.Excerpt;
import org.vidar.data.FeatureSpec;
import org.vidar.data.InputFile;
import org.vidar.data.LabelPolicy;
import org.vidar.data.VideoReader;
import org.vidar.data.Vocabulary;
import org.vidar.eval.EvalReport;
import org.vidar.eval.LabelTable;
import org.vidar.eval.PerClassCsv;
import org.vidar.eval.PredictionCsvReader;
import org.vidar.eval.PredictionScoring;
import org.vidar.inference.ModelEvaluation;
import org.vidar.model.VideoModel;
import org.vidar.model.io.ModelFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code vidar eval}: scores Kaggle-format predictions against the labels of TFRecord files. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = {"Scores predictions in the Kaggle format (VideoId,LabelConfidencePairs) against the labels "
        + "of TFRecord files with the YouTube-8M metrics: GAP@k, Hit@1, PERR and MAP. Several prediction "
        + "sets are shown side by side.",
        "Labelled videos missing from a prediction set count as predicting nothing; predicted ids that are "
        + "not in the labelled data are counted and reported.",
        "Only labelled videos are scored: records without the labels key (unlabelled videos, like YouTube-8M's "
        + "test split) are counted and reported apart, and their predictions are not scored; a video whose "
        + "labels key holds no labels is labelled and is scored. Files with no labelled video at all are an "
        + "error.",
        "Exit codes: 0 done, 1 failed, 3 done but bad records were skipped."})
final class EvalCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "FILES",
      description = "Labelled TFRecord files, directories or globs (unlabelled records among them are counted, not scored).")
  List<String> inputs;

  @Option(names = {"-p", "--predictions"}, paramLabel = "[NAME=]CSV[,CSV...]",
      description = "A prediction set: CSV files or globs (comma-separated), optionally named. Repeatable.")
  List<String> predictions = new ArrayList<>();

  @Option(names = {"-m", "--model"}, paramLabel = "[NAME=]DIR",
      description = "A model directory (vidar train's output) to score the files with. Repeatable.")
  List<String> models = new ArrayList<>();

  @Option(names = {"-k", "--top-k"}, defaultValue = "20", description = "k of GAP@k and MAP (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--per-class", paramLabel = "CSV",
      description = "Also write per-class AP and positive counts of each prediction set to this CSV, classes named "
          + "by --vocabulary, else by the first model's class names.")
  String perClassFile;

  @Mixin DataOptions data;

  @Spec CommandSpec commandSpec;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    if (predictions.isEmpty() && models.isEmpty()) {
      throw new CommandLine.ParameterException(commandSpec.commandLine(), "give at least one --predictions or --model");
    }
    List<InputFile> files = DataPaths.resolve(inputs);
    // The per-class file is written last: a place it cannot go fails now, before the scoring.
    Outputs outputs = new Outputs(inputs, files).input(data.vocabulary);
    for (String m : models) {
      outputs.input(modelDir(m));
    }
    for (String set : predictions) {
      for (InputFile f : DataPaths.resolve(Arrays.asList(predictionPaths(set).split(",")))) {
        outputs.input(f.name());
      }
    }
    outputs.file("--per-class", perClassFile).prepare(System.err);
    Vocabulary vocab = data.loadVocabulary();
    List<VideoModel> loaded = new ArrayList<>();
    // The per-class rows' names: the vocabulary's, else the first model's that has them (model.json).
    List<String> classNames = vocab != null ? vocab.names() : List.of();
    for (String m : models) {
      ModelFiles.Saved saved = ModelFiles.load(modelDir(m));
      loaded.add(saved.model());
      if (classNames.isEmpty()) {
        classNames = saved.classNames();
      }
    }
    // The classes: the vocabulary's (or --classes), else the first model's (the others are checked
    // against it below), else the data's, once the labels and predictions are read.
    DataOptions.ClassCount classes = data.givenClasses(vocab);
    if (classes == null && !loaded.isEmpty()) {
      classes = new DataOptions.ClassCount(loaded.get(0).config().numClasses(),
          loaded.get(0).config().features().classesFrom());
    }
    FeatureSpec spec = data.spec(files, classes);
    LabelTable labels;
    long skipped;
    try (VideoReader reader = VideoReader.labelsOnly(files, spec, data.policy(), LabelPolicy.OPTIONAL)) {
      labels = LabelTable.read(reader);
      skipped = reader.skipped().total();
      if (skipped > 0) {
        System.err.print(reader.skipped().summary());
      }
    }
    if (labels.size() == 0 && labels.unlabelledCount() > 0) {
      throw new IllegalArgumentException("none of the " + labels.unlabelledCount() + " videos in " + String.join(" ", inputs)
          + " has the labels key '" + spec.labelsKey() + "': eval needs labelled videos (vidar predict scores "
          + "unlabelled ones; --labels-key names another key)");
    }
    if (classes == null) {
      // Predicted classes count too: a class no labelled video has is still one a prediction may rank.
      classes = DataOptions.classesFromData(Math.max(labels.largestLabel(), largestPredictedClass()),
          "the labels of " + String.join(" ", inputs) + (predictions.isEmpty() ? "" : " and the predictions"));
    }
    int numClasses = classes.count();
    out.printf(Locale.ROOT, "labelled videos: %d from %d file(s), %d classes%n", labels.size(), files.size(), numClasses);
    if (labels.unlabelledCount() > 0) {
      out.printf(Locale.ROOT, "unlabelled videos: %d (no '%s' key): not scored%n", labels.unlabelledCount(),
          spec.labelsKey());
    }

    List<String> names = new ArrayList<>();
    List<PredictionScoring.Result> results = new ArrayList<>();
    for (int i = 0; i < models.size(); i++) {
      String m = models.get(i);
      int eq = m.indexOf('=');
      String name = eq > 0 && !DataPaths.isUri(m) ? m.substring(0, eq) : "model";
      String dir = modelDir(m);
      VideoModel model = loaded.get(i);
      if (model.config().numClasses() != numClasses) {
        throw new IllegalArgumentException("model " + dir + " has " + model.config().numClasses()
            + " classes, not " + spec.classesDescription());
      }
      ModelEvaluation.FileResult scored;
      try (ProgressLine progress = ProgressLine.onStderr()) {
        scored = ModelEvaluation.evaluate(model, files, data.policy(), LabelPolicy.OPTIONAL, topK, 1024,
            "eval " + name, progress);
      }
      skipped += scored.skipped().total();
      names.add(name);
      results.add(new PredictionScoring.Result(scored.report(), scored.videos(), 0, scored.unlabelled(), 0, null));
      out.printf(Locale.ROOT, "%s: %d videos scored by the model in %s%s%n", name, scored.videos(), dir,
          scored.unlabelled() == 0 ? "" : ", " + scored.unlabelled() + " unlabelled videos not scored");
    }
    for (String set : predictions) {
      int eq = set.indexOf('=');
      String name = eq > 0 && !DataPaths.isUri(set) ? set.substring(0, eq) : "predictions";
      String paths = predictionPaths(set);
      PredictionScoring scoring = new PredictionScoring(labels, numClasses, topK);
      for (InputFile f : DataPaths.resolve(Arrays.asList(paths.split(",")))) {
        try (PredictionCsvReader r = new PredictionCsvReader(
            new BufferedReader(new InputStreamReader(f.open(), StandardCharsets.UTF_8)), f.name(), numClasses)) {
          scoring.add(r);
        }
      }
      PredictionScoring.Result result = scoring.finish();
      names.add(name);
      results.add(result);
      out.printf(Locale.ROOT, "%s: %d videos predicted, %d labelled videos without a prediction%s%s%n", name,
          result.predicted(), result.missing(), result.unlabelled() == 0 ? ""
              : ", " + result.unlabelled() + " predictions of unlabelled videos not scored",
          result.unknownIds() == 0 ? ""
              : ", " + result.unknownIds() + " predicted ids not in the labelled data (first: "
                  + Excerpt.of(result.firstUnknownId()) + ")");
    }
    out.println();
    out.print(table(names, results));
    if (perClassFile != null) {
      writePerClass(names, results, classNames);
      out.println("per-class AP written to " + perClassFile);
    }
    return skipped > 0 ? ExitCodes.SKIPPED_RECORDS : ExitCodes.OK;
  }

  private String table(List<String> names, List<PredictionScoring.Result> results) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%-20s", "metric"));
    for (String n : names) {
      sb.append(String.format(Locale.ROOT, " %12s", n));
    }
    sb.append('\n');
    String[] rows = {"GAP@" + topK, "Hit@1", "PERR", "PERR labelled only", "MAP (top-" + topK + ")"};
    for (int row = 0; row < rows.length; row++) {
      sb.append(String.format(Locale.ROOT, "%-20s", rows[row]));
      for (PredictionScoring.Result r : results) {
        EvalReport e = r.report();
        double v = switch (row) {
          case 0 -> e.gap();
          case 1 -> e.hit1();
          case 2 -> e.perr();
          case 3 -> e.perrLabelledOnly();
          default -> e.map();
        };
        sb.append(String.format(Locale.ROOT, " %12.4f", v));
      }
      sb.append('\n');
    }
    EvalReport first = results.get(0).report();
    sb.append(String.format(Locale.ROOT, "(%d videos, %d with labels, %d positive labels, %d classes with positives)%n",
        first.videos(), first.videosWithLabels(), first.totalPositives(), first.classesWithPositives()));
    return sb.toString();
  }

  private void writePerClass(List<String> names, List<PredictionScoring.Result> results, List<String> classNames)
      throws java.io.IOException {
    PerClassCsv.write(perClassFile, names, results.stream().map(PredictionScoring.Result::report).toList(), classNames);
  }

  /** The largest class any prediction file names, or -1 (a first pass over them, when the classes come from the data). */
  private long largestPredictedClass() throws java.io.IOException {
    long largest = -1;
    for (String set : predictions) {
      for (InputFile f : DataPaths.resolve(Arrays.asList(predictionPaths(set).split(",")))) {
        try (PredictionCsvReader r = new PredictionCsvReader(
            new BufferedReader(new InputStreamReader(f.open(), StandardCharsets.UTF_8)), f.name(),
            DataOptions.MAX_CLASSES_FROM_DATA)) {
          while (r.next()) {
            for (int i = 0; i < r.count(); i++) {
              largest = Math.max(largest, r.classes()[i]);
            }
          }
        }
      }
    }
    return largest;
  }

  /** The files of a {@code -p NAME=CSV[,CSV...]} (or bare {@code CSV[,CSV...]}) argument. */
  private static String predictionPaths(String set) {
    int eq = set.indexOf('=');
    return eq > 0 && !DataPaths.isUri(set) ? set.substring(eq + 1) : set;
  }

  /** The directory of a {@code -m NAME=DIR} (or bare {@code DIR}) argument. */
  private static String modelDir(String m) {
    int eq = m.indexOf('=');
    return eq > 0 && !DataPaths.isUri(m) ? m.substring(eq + 1) : m;
  }
}
