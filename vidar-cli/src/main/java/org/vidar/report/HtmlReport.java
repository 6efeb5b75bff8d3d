package org.vidar.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.vidar.eval.EvalReport;
import org.vidar.train.MetricsLine;
import org.vidar.train.MetricsLog;

/**
 * The training report as one self-contained HTML page (no script, style or font fetched from
 * anywhere): a summary, validation GAP and training loss against training time for every model,
 * per-class AP against the class's positives beside every prediction set, each model's training
 * record, and its architecture, experts per class, provenance and timings. Every figure shown from a
 * training record carries its exact value in a {@code data-value} attribute.
 */
public final class HtmlReport {
  private static final String[] MODEL_COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#17becf"};
  private static final String[] SET_COLORS = {"#ff7f0e", "#e377c2", "#7f7f7f", "#bcbd22"};
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final List<ModelRun> models;
  private final List<PredictionSet> sets;
  private final int topK;

  /** A report of {@code models} (at least one) beside {@code sets}, with GAP@{@code topK}. */
  public HtmlReport(List<ModelRun> models, List<PredictionSet> sets, int topK) {
    if (models.isEmpty()) {
      throw new IllegalArgumentException("a report needs a model");
    }
    this.models = List.copyOf(models);
    this.sets = List.copyOf(sets);
    this.topK = topK;
  }

  /** The page. */
  public String render(String generated) {
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>Vidar training report</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
    sb.append("<h1>Vidar training report</h1>\n<p class=\"note\">").append(Html.escape(generated)).append(": ");
    List<String> named = new ArrayList<>();
    models.forEach(m -> named.add(Html.escape(m.name()) + " (<code>" + Html.escape(m.dir()) + "</code>)"));
    sets.forEach(s -> named.add(Html.escape(s.name()) + " (<code>" + Html.escape(s.source()) + "</code>)"));
    sb.append(String.join(", ", named)).append("</p>\n");
    summary(sb);
    sb.append("<h2>Validation and loss against training time</h2>\n<div class=\"charts\">\n");
    sb.append(gapChart().render(560, 380)).append(lossChart().render(560, 380)).append("</div>\n");
    sb.append("<p class=\"note\">Training time: seconds spent training, summed over pre-training's epochs and "
        + "the stages (validation and checkpoints not counted). A point per pre-training epoch and per stage; "
        + "a dashed line is a prediction set's figure on the same videos.</p>\n");
    sb.append("<h2>Per-class AP against the class's positives</h2>\n");
    sb.append(apChart().render(1136, 420));
    for (ModelRun m : models) {
      sb.append("<p class=\"note\">").append(Html.escape(m.name())).append(": ").append(m.perClass()
          .map(c -> "per-class AP from " + Html.escape(c.source()))
          .orElse("no per-class AP (the model has no per-class.csv and no validation files to score)")).append("</p>\n");
    }
    for (int i = 0; i < models.size(); i++) {
      record(sb, i, models.get(i));
    }
    for (int i = 0; i < models.size(); i++) {
      model(sb, models.get(i));
    }
    sb.append("<script type=\"application/json\" id=\"report-data\">\n").append(data()).append("\n</script>\n");
    return sb.append("</body>\n</html>\n").toString();
  }

  private void summary(StringBuilder sb) {
    sb.append("<h2>Summary</h2>\n<table id=\"summary\">\n<tr><th>name</th><th>what</th><th>stage written</th>"
        + "<th>training s</th><th>GAP@").append(topK).append("</th><th>Hit@1</th><th>PERR</th><th>MAP</th></tr>\n");
    for (ModelRun m : models) {
      sb.append("<tr data-name=\"").append(Html.escape(m.name())).append("\"><td>").append(Html.escape(m.name()))
          .append("</td><td>model</td>");
      MetricsLine w = m.written().orElse(null);
      sb.append("<td>").append(w == null ? "-" : Html.escape(w.stage())).append("</td>");
      double seconds = m.lines().isEmpty() ? Double.NaN : m.lines().get(m.lines().size() - 1).seconds();
      cell(sb, "seconds", seconds, "%.1f");
      cell(sb, "gap", w == null ? Double.NaN : w.gap(), "%.4f");
      cell(sb, "hit1", w == null ? Double.NaN : w.hit1(), "%.4f");
      cell(sb, "perr", w == null ? Double.NaN : w.perr(), "%.4f");
      cell(sb, "map", w == null ? Double.NaN : w.map(), "%.4f");
      sb.append("</tr>\n");
    }
    for (PredictionSet s : sets) {
      EvalReport r = s.report();
      sb.append("<tr data-name=\"").append(Html.escape(s.name())).append("\"><td>").append(Html.escape(s.name()))
          .append("</td><td>predictions</td><td>-</td><td>-</td>");
      cell(sb, "gap", r.gap(), "%.4f");
      cell(sb, "hit1", r.hit1(), "%.4f");
      cell(sb, "perr", r.perr(), "%.4f");
      cell(sb, "map", r.map(), "%.4f");
      sb.append("</tr>\n");
    }
    sb.append("</table>\n");
  }

  private SvgChart gapChart() {
    SvgChart c = new SvgChart("gap-chart", "Validation GAP@" + topK, "training seconds", "GAP@" + topK, false);
    for (int i = 0; i < models.size(); i++) {
      ModelRun m = models.get(i);
      c.add(new SvgChart.Series(m.name(), MODEL_COLORS[i % MODEL_COLORS.length],
          points(m.lines(), MetricsLine::gap), true));
    }
    for (int i = 0; i < sets.size(); i++) {
      c.add(new SvgChart.Reference(sets.get(i).name(), SET_COLORS[i % SET_COLORS.length], sets.get(i).report().gap()));
    }
    return c;
  }

  private SvgChart lossChart() {
    SvgChart c = new SvgChart("loss-chart", "Training loss", "training seconds", "loss", false);
    for (int i = 0; i < models.size(); i++) {
      ModelRun m = models.get(i);
      c.add(new SvgChart.Series(m.name(), MODEL_COLORS[i % MODEL_COLORS.length],
          points(m.lines(), MetricsLine::trainLoss), true));
    }
    return c;
  }

  private SvgChart apChart() {
    SvgChart c = new SvgChart("ap-chart", "Per-class AP (top-" + topK + " pooled)", "positive videos of the class",
        "AP", true);
    for (int i = 0; i < models.size(); i++) {
      ModelRun m = models.get(i);
      m.perClass().ifPresent(ap -> c.add(new SvgChart.Series(m.name(), MODEL_COLORS[models.indexOf(m)
          % MODEL_COLORS.length], classPoints(ap), false)));
    }
    for (int i = 0; i < sets.size(); i++) {
      c.add(new SvgChart.Series(sets.get(i).name(), SET_COLORS[i % SET_COLORS.length], classPoints(sets.get(i).classAp()),
          false));
    }
    return c;
  }

  private static List<double[]> points(List<MetricsLine> lines, java.util.function.ToDoubleFunction<MetricsLine> y) {
    List<double[]> out = new ArrayList<>();
    for (MetricsLine l : lines) {
      double v = y.applyAsDouble(l);
      if (!Double.isNaN(v) && !Double.isNaN(l.seconds())) {
        out.add(new double[] {l.seconds(), v});
      }
    }
    return out;
  }

  private static List<double[]> classPoints(ClassAp ap) {
    List<double[]> out = new ArrayList<>();
    for (int c = 0; c < ap.ap().length; c++) {
      if (ap.positives()[c] > 0 && !Double.isNaN(ap.ap()[c])) {
        out.add(new double[] {ap.positives()[c], ap.ap()[c]});
      }
    }
    return out;
  }

  private void record(StringBuilder sb, int index, ModelRun m) {
    sb.append("<h2>Training record: ").append(Html.escape(m.name())).append("</h2>\n");
    if (m.lines().isEmpty()) {
      sb.append("<p class=\"note\">no ").append(MetricsLog.FILE).append(" in <code>").append(Html.escape(m.dir()))
          .append("</code> (trained before Vidar wrote one)</p>\n");
      return;
    }
    sb.append("<table class=\"record\" id=\"record-").append(index).append("\" data-name=\"")
        .append(Html.escape(m.name())).append("\">\n<tr><th>stage</th><th>epoch</th><th>seconds</th>"
            + "<th>stage seconds</th><th>train loss</th><th>GAP@").append(topK).append("</th><th>Hit@1</th>"
            + "<th>PERR</th><th>MAP</th><th>videos/s</th><th>frames/s</th><th>parameters</th></tr>\n");
    for (MetricsLine l : m.lines()) {
      sb.append("<tr class=\"").append(l.kind()).append("\"><td>").append(Html.escape(l.stage())).append("</td><td>")
          .append(l.epoch() >= 0 ? Integer.toString(l.epoch()) : "").append("</td>");
      cell(sb, "seconds", l.seconds(), "%.1f");
      cell(sb, "stage_seconds", l.stageSeconds(), "%.1f");
      cell(sb, "train_loss", l.trainLoss(), "%.5f");
      cell(sb, "gap", l.gap(), "%.4f");
      cell(sb, "hit1", l.hit1(), "%.4f");
      cell(sb, "perr", l.perr(), "%.4f");
      cell(sb, "map", l.map(), "%.4f");
      cell(sb, "videos_per_s", l.videosPerSecond(), "%.0f");
      cell(sb, "frames_per_s", l.framesPerSecond(), "%.0f");
      sb.append("<td data-field=\"parameters\" data-value=\"").append(l.parameters()).append("\">")
          .append(l.parameters()).append("</td></tr>\n");
    }
    sb.append("</table>\n");
  }

  private static void cell(StringBuilder sb, String field, double v, String format) {
    sb.append("<td data-field=\"").append(field).append("\" data-value=\"")
        .append(Double.isNaN(v) ? "" : Double.toString(v)).append("\">")
        .append(Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v)).append("</td>");
  }

  private void model(StringBuilder sb, ModelRun m) {
    JsonNode j = m.modelJson();
    JsonNode p = j.path("provenance");
    sb.append("<h2>Model: ").append(Html.escape(m.name())).append("</h2>\n<div class=\"model\">\n<dl>\n");
    item(sb, "directory", "<code>" + Html.escape(m.dir()) + "</code>");
    item(sb, "features", Html.escape(features(j.path("features"))));
    item(sb, "trunk", Html.escape(trunk(j.path("trunk"))));
    item(sb, "experts per class", Html.escape(experts(j.path("expertsPerClass"))));
    item(sb, "classes", Integer.toString(j.path("expertsPerClass").size()));
    item(sb, "stage written", Html.escape(p.path("stage").asText("-")));
    item(sb, "command", Html.escape(p.path("command").asText("-")));
    JsonNode engine = p.path("engine");
    item(sb, "engine", Html.escape(engine.path("name").asText("-") + (engine.path("master").isTextual()
        ? " (" + engine.path("master").asText() + ")" : engine.path("threads").asInt() > 0
        ? " (" + engine.path("threads").asInt() + " threads)" : "")));
    JsonNode data = p.path("data");
    item(sb, "data", Html.escape(files(data.path("train")) + " training, " + files(data.path("validate"))
        + " validation; " + data.path("trainVideos").asText("?") + " training videos"));
    JsonNode env = p.path("environment");
    item(sb, "environment", Html.escape(String.join("; ", env.path("kernels").asText(""), env.path("java").asText(""),
        env.path("os").asText(""), env.path("cpu").asText("") + " (" + env.path("cores").asText("?") + " cores)")));
    item(sb, "started", Html.escape(p.path("started").asText("-")));
    item(sb, "finished", Html.escape(p.path("finished").asText("-")));
    StringBuilder timings = new StringBuilder();
    for (MetricsLine l : m.stages()) {
      timings.append(timings.length() == 0 ? "" : ", ")
          .append(String.format(Locale.ROOT, "%s %.1f s", l.stage(), l.stageSeconds()));
    }
    item(sb, "training time", timings.length() == 0 ? "-" : Html.escape(timings.toString()));
    sb.append("</dl>\n<details><summary>training options and provenance (model.json)</summary><pre>")
        .append(Html.escape(pretty(p))).append("</pre></details>\n</div>\n");
  }

  private static void item(StringBuilder sb, String term, String html) {
    sb.append("<dt>").append(Html.escape(term)).append("</dt><dd>").append(html).append("</dd>\n");
  }

  private static String features(JsonNode f) {
    List<String> parts = new ArrayList<>();
    for (JsonNode field : f.path("features")) {
      parts.add(field.path("name").asText("?") + ":" + field.path("size").asText("?"));
    }
    return f.path("level").asText("?") + " level" + (parts.isEmpty() ? "" : ", " + String.join(" ", parts));
  }

  private static String trunk(JsonNode t) {
    String kind = t.path("type").asText("");
    if (kind.equals("video_mlp") && t.path("hidden").isEmpty()) {
      return "none: the heads sit on the features";
    }
    List<String> parts = new ArrayList<>();
    t.fields().forEachRemaining(e -> {
      if (!e.getKey().equals("type")) {
        parts.add(e.getKey() + " " + (e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
      }
    });
    return kind + (parts.isEmpty() ? "" : ": " + String.join(", ", parts));
  }

  /** Total, range, median and how many classes have each count. */
  static String experts(JsonNode perClass) {
    int[] e = new int[perClass.size()];
    for (int i = 0; i < e.length; i++) {
      e[i] = perClass.get(i).asInt();
    }
    if (e.length == 0) {
      return "-";
    }
    int[] sorted = e.clone();
    Arrays.sort(sorted);
    long total = Arrays.stream(e).asLongStream().sum();
    Map<Integer, Integer> counts = new TreeMap<>();
    for (int x : e) {
      counts.merge(x, 1, Integer::sum);
    }
    List<String> histogram = new ArrayList<>();
    counts.forEach((experts, classes) -> histogram.add(classes + (classes == 1 ? " class" : " classes") + " of "
        + experts));
    return String.format(Locale.ROOT, "%d in all, %d to %d a class (median %d): %s", total, sorted[0],
        sorted[e.length - 1], sorted[e.length / 2], String.join(", ", histogram));
  }

  private static String files(JsonNode files) {
    long bytes = 0;
    for (JsonNode f : files) {
      bytes += f.path("bytes").asLong();
    }
    return String.format(Locale.ROOT, "%d file(s), %.1f MiB", files.size(), bytes / (double) (1 << 20));
  }

  private static String pretty(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return node.toString();
    }
  }

  /** The training records as JSON, for a reader of the page; {@code </} escaped so the script element holds. */
  private String data() {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode ms = root.putArray("models");
    for (ModelRun m : models) {
      ObjectNode o = ms.addObject();
      o.put("name", m.name());
      o.put("dir", m.dir());
      ArrayNode lines = o.putArray("metrics");
      m.lines().forEach(l -> lines.add(MetricsLog.toJson(l)));
    }
    ArrayNode ss = root.putArray("predictions");
    for (PredictionSet s : sets) {
      ObjectNode o = ss.addObject();
      o.put("name", s.name());
      o.put("gap", s.report().gap());
      o.put("hit1", s.report().hit1());
      o.put("perr", s.report().perr());
      o.put("map", s.report().map());
    }
    return root.toString().replace("</", "<\\/");
  }

  private static final String STYLE = """
      body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; background: #fff; max-width: 1180px; }
      h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 26px 0 8px; }
      .note { color: #555; font-size: 13px; }
      table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
      th, td { border-bottom: 1px solid #ddd; padding: 3px 9px; text-align: right; }
      th:first-child, td:first-child { text-align: left; }
      tr.epoch td { color: #666; }
      .charts { display: flex; flex-wrap: wrap; gap: 16px; }
      svg.chart { background: #fff; }
      svg .title { font-size: 14px; font-weight: 600; } svg .tick, svg .legend { font-size: 11px; fill: #444; }
      svg .axis { font-size: 12px; fill: #333; } svg .empty { font-size: 13px; fill: #999; }
      svg .plot { fill: none; stroke: #bbb; } svg .grid { stroke: #eee; }
      svg .series { fill: none; stroke-width: 2; } svg .reference { stroke-width: 2; stroke-dasharray: 6 4; }
      dl { display: grid; grid-template-columns: 160px 1fr; gap: 2px 12px; margin: 0; }
      dt { color: #555; } dd { margin: 0; }
      pre { font-size: 12px; background: #f6f6f6; padding: 8px; overflow-x: auto; }
      """;
}
