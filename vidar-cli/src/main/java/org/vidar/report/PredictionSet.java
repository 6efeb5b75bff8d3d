package org.vidar.report;

import org.vidar.eval.EvalReport;

/**
 * A prediction set drawn beside the models (the oracle, another system's predictions), scored on
 * labelled videos.
 *
 * @param name its name in the report
 * @param source the files it was read from
 * @param report its metrics, per-class AP included
 */
public record PredictionSet(String name, String source, EvalReport report) {
  /** Its per-class AP. */
  ClassAp classAp() {
    return new ClassAp(source, report.classPositives(), report.classAp());
  }
}
