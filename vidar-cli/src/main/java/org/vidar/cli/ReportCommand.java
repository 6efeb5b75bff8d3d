package org.vidar.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.vidar.data.AtomicOutput;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.InputFile;
import org.vidar.data.LabelPolicy;
import org.vidar.data.VideoReader;
import org.vidar.eval.EvalReport;
import org.vidar.eval.LabelTable;
import org.vidar.eval.PredictionCsvReader;
import org.vidar.eval.PredictionScoring;
import org.vidar.inference.ModelEvaluation;
import org.vidar.model.VideoModel;
import org.vidar.model.io.ModelFiles;
import org.vidar.report.ClassAp;
import org.vidar.report.HtmlReport;
import org.vidar.report.ModelRun;
import org.vidar.report.PredictionSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vidar report}: one self-contained HTML page of one or more trained models. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"Writes one self-contained HTML file (no network: the charts are inline SVG) about trained "
        + "models: validation GAP and training loss against training time, stage by stage (from each model's "
        + "metrics.jsonl); per-class AP against the class's positives (from per-class.csv, else by scoring the "
        + "validation files), beside any prediction set given with -p (the oracle, say); each model's training "
        + "record, architecture, experts per class, provenance and timings (model.json).",
        "Prediction sets, and models without per-class.csv, are scored on --validate, by default the first "
            + "model's validation files as model.json records them.",
        "Exit codes: 0 done, 1 failed, 2 usage error."})
final class ReportCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "[NAME=]MODEL_DIR", description = "Model directories (vidar train's output).")
  List<String> models;

  @Option(names = {"-o", "--out"}, defaultValue = "report.html", paramLabel = "HTML",
      description = "The HTML file to write (default: ${DEFAULT-VALUE}).")
  String out;

  @Option(names = {"-p", "--predictions"}, paramLabel = "[NAME=]CSV[,CSV...]",
      description = "A prediction set in the Kaggle format to draw beside the models, optionally named. Repeatable.")
  List<String> predictions = new ArrayList<>();

  @Option(names = "--validate", arity = "1..*", paramLabel = "FILES",
      description = "Labelled TFRecords to score prediction sets and models without per-class.csv on (default: the "
          + "first model's validation files, from its model.json).")
  List<String> validate;

  @Option(names = {"-k", "--top-k"}, defaultValue = "20", description = "k of GAP@k and MAP (default: ${DEFAULT-VALUE}).")
  int topK;

  @Override
  public Integer call() throws Exception {
    List<String> inputs = new ArrayList<>();
    for (String m : models) {
      inputs.add(location(m));
    }
    for (String set : predictions) {
      inputs.addAll(Arrays.asList(location(set).split(",")));
    }
    if (validate != null) {
      inputs.addAll(validate);
    }
    new Outputs(inputs, List.of()).file("--out", out).prepare(System.err);
    List<ModelRun> runs = new ArrayList<>();
    for (String m : models) {
      runs.add(ModelRun.read(name(m, "model" + (models.size() > 1 ? " " + (runs.size() + 1) : "")), location(m)));
    }
    boolean scoring = !predictions.isEmpty() || runs.stream().anyMatch(r -> r.perClass().isEmpty());
    List<InputFile> labelled = scoring ? labelledFiles(runs.get(0)) : List.of();
    if (!predictions.isEmpty() && labelled.isEmpty()) {
      throw new UsageException("-p: no labelled files to score the predictions on: the first model has no "
          + "validation files in its model.json; give --validate FILES");
    }
    for (int i = 0; i < runs.size(); i++) {
      ModelRun r = runs.get(i);
      if (r.perClass().isEmpty() && !labelled.isEmpty()) {
        VideoModel model = ModelFiles.load(r.dir()).model();
        EvalReport scored = ModelEvaluation.evaluate(model, labelled, BadRecordPolicy.FAIL, LabelPolicy.OPTIONAL, topK,
            1024).report();
        runs.set(i, r.withPerClass(new ClassAp(labelled.size() + " labelled file(s) scored by vidar report",
            scored.classPositives(), scored.classAp())));
      }
    }
    List<PredictionSet> sets = new ArrayList<>();
    for (String set : predictions) {
      sets.add(score(name(set, "predictions"), location(set), labelled, ModelFiles.load(runs.get(0).dir()).model()));
    }
    String page = new HtmlReport(runs, sets, topK).render("written by vidar report at "
        + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    try (AtomicOutput output = DataPaths.createAtomic(out)) {
      output.stream().write(page.getBytes(StandardCharsets.UTF_8));
      output.commit();
    }
    System.out.println("report written to " + out);
    return ExitCodes.OK;
  }

  /** The labelled videos to score on: --validate, else the first model's validation files. */
  private List<InputFile> labelledFiles(ModelRun first) throws java.io.IOException {
    if (validate != null) {
      return DataPaths.resolve(validate);
    }
    List<String> paths = new ArrayList<>();
    first.modelJson().path("provenance").path("data").path("validate").forEach(f -> paths.add(f.path("path").asText()));
    if (paths.isEmpty()) {
      return List.of();
    }
    for (String p : paths) {
      if (!DataPaths.exists(p)) {
        throw new java.io.FileNotFoundException(p + ": a validation file of " + first.dir() + "/model.json is not "
            + "there; give --validate FILES");
      }
    }
    return DataPaths.resolve(paths);
  }

  private PredictionSet score(String name, String paths, List<InputFile> labelled, VideoModel model)
      throws java.io.IOException {
    int numClasses = model.config().numClasses();
    LabelTable labels;
    try (VideoReader reader = VideoReader.labelsOnly(labelled, model.config().features(), BadRecordPolicy.FAIL,
        LabelPolicy.OPTIONAL)) {
      labels = LabelTable.read(reader);
    }
    PredictionScoring scoring = new PredictionScoring(labels, numClasses, topK);
    for (InputFile f : DataPaths.resolve(Arrays.asList(paths.split(",")))) {
      try (PredictionCsvReader r = new PredictionCsvReader(
          new BufferedReader(new InputStreamReader(f.open(), StandardCharsets.UTF_8)), f.name(), numClasses)) {
        scoring.add(r);
      }
    }
    return new PredictionSet(name, paths, scoring.finish().report());
  }

  /** The NAME of a {@code NAME=PATH} argument, else {@code otherwise}. */
  private static String name(String arg, String otherwise) {
    int eq = arg.indexOf('=');
    return eq > 0 && !DataPaths.isUri(arg) ? arg.substring(0, eq) : otherwise;
  }

  /** The PATH of a {@code [NAME=]PATH} argument. */
  private static String location(String arg) {
    int eq = arg.indexOf('=');
    return eq > 0 && !DataPaths.isUri(arg) ? arg.substring(eq + 1) : arg;
  }
}
