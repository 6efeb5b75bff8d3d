package org.vidar.report;

import java.util.List;
import java.util.Optional;
import com.fasterxml.jackson.databind.JsonNode;
import org.vidar.train.MetricsLine;

/**
 * One model directory as the report shows it.
 *
 * @param name the model's name in the report
 * @param dir where it was read
 * @param modelJson its {@code model.json}: features, trunk, experts per class, provenance
 * @param lines its training record ({@code metrics.jsonl}; empty when the model has none)
 * @param perClass its validation AP per class, when known
 */
public record ModelRun(String name, String dir, JsonNode modelJson, List<MetricsLine> lines,
    Optional<ClassAp> perClass) {
  public ModelRun {
    lines = List.copyOf(lines);
  }

  /**
   * Reads a model directory: {@code model.json}, and {@code metrics.jsonl} and {@code per-class.csv}
   * when it has them.
   */
  public static ModelRun read(String name, String dir) throws java.io.IOException {
    String config = org.vidar.data.DataPaths.join(dir, org.vidar.model.io.ModelFiles.CONFIG);
    JsonNode json;
    try (java.io.InputStream in = org.vidar.data.DataPaths.open(config)) {
      json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new java.io.IOException(config + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    String metrics = org.vidar.data.DataPaths.join(dir, org.vidar.train.MetricsLog.FILE);
    List<MetricsLine> lines = org.vidar.data.DataPaths.exists(metrics) ? org.vidar.train.MetricsLog.read(metrics)
        : List.of();
    String perClass = org.vidar.data.DataPaths.join(dir, org.vidar.eval.PerClassCsv.FILE);
    Optional<ClassAp> ap = Optional.empty();
    if (org.vidar.data.DataPaths.exists(perClass)) {
      org.vidar.eval.PerClassCsv.Table t = org.vidar.eval.PerClassCsv.read(perClass);
      if (t.sets().isEmpty()) {
        throw new java.io.IOException(perClass + ": no AP column");
      }
      ap = Optional.of(new ClassAp(perClass, t.positives(), t.ap().get(0)));
    }
    return new ModelRun(name, dir, json, lines, ap);
  }

  /** This run with the per-class AP {@code ap}. */
  public ModelRun withPerClass(ClassAp ap) {
    return new ModelRun(name, dir, modelJson, lines, Optional.of(ap));
  }

  /** The stage lines, in order. */
  List<MetricsLine> stages() {
    return lines.stream().filter(MetricsLine::isStage).toList();
  }

  /** The line of the stage whose model the directory holds (provenance's {@code stage}), else the last stage's. */
  Optional<MetricsLine> written() {
    String stage = modelJson.path("provenance").path("stage").asText("");
    List<MetricsLine> stages = stages();
    return stages.stream().filter(l -> l.stage().equals(stage)).reduce((a, b) -> b)
        .or(() -> stages.isEmpty() ? Optional.empty() : Optional.of(stages.get(stages.size() - 1)));
  }
}
