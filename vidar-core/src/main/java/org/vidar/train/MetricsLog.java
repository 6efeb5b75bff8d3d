package org.vidar.train;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.vidar.data.DataPaths;

/**
 * A training run's {@code metrics.jsonl}: one JSON object a line ({@link MetricsLine}), written and
 * flushed as each line comes, so a run that dies leaves the lines so far. Field names are
 * snake_case; a figure that does not exist is {@code null}; numbers are written as the shortest
 * decimal that reads back to the same double.
 */
public final class MetricsLog implements Closeable {
  /** The file's name in a model directory. */
  public static final String FILE = "metrics.jsonl";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String location;
  private final OutputStream out;
  private final double secondsBefore;

  private MetricsLog(String location, OutputStream out, double secondsBefore) {
    this.location = location;
    this.out = out;
    this.secondsBefore = secondsBefore;
  }

  /**
   * Starts the log at {@code location}. A fresh run ({@code resumedStage < 0}) starts it empty; a
   * run resuming after stage {@code resumedStage} (see {@link Checkpoints#stageIndex}) keeps the lines
   * of the stages up to it, drops those of the stages it runs again, and continues their seconds.
   */
  public static MetricsLog start(String location, int resumedStage) throws IOException {
    List<MetricsLine> kept = new ArrayList<>();
    if (resumedStage >= 0 && DataPaths.exists(location)) {
      for (MetricsLine line : read(location)) {
        if (Checkpoints.stageIndex(line.stage()) <= resumedStage) {
          kept.add(line);
        }
      }
    }
    MetricsLog log = new MetricsLog(location, DataPaths.createLog(location),
        kept.isEmpty() ? 0 : kept.get(kept.size() - 1).seconds());
    for (MetricsLine line : kept) {
      log.append(line);
    }
    return log;
  }

  /** The training seconds of the lines kept from an earlier run (0 for a fresh run). */
  public double secondsBefore() {
    return secondsBefore;
  }

  /** Writes one line and flushes it. */
  public void append(MetricsLine line) throws IOException {
    out.write((JSON.writeValueAsString(toJson(line)) + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }

  /** The line as a JSON object. */
  public static ObjectNode toJson(MetricsLine l) {
    ObjectNode o = JSON.createObjectNode();
    o.put("kind", l.kind());
    o.put("stage", l.stage());
    o.put("round", l.round());
    if (l.epoch() >= 0) {
      o.put("epoch", l.epoch());
    } else {
      o.putNull("epoch");
    }
    number(o, "seconds", l.seconds());
    number(o, "stage_seconds", l.stageSeconds());
    number(o, "train_loss", l.trainLoss());
    o.put("top_k", l.topK());
    number(o, "gap", l.gap());
    number(o, "hit1", l.hit1());
    number(o, "perr", l.perr());
    number(o, "map", l.map());
    number(o, "videos_per_s", l.videosPerSecond());
    number(o, "frames_per_s", l.framesPerSecond());
    o.put("parameters", l.parameters());
    return o;
  }

  private static void number(ObjectNode o, String field, double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      o.putNull(field);
    } else {
      o.put(field, v);
    }
  }

  /** Reads every line of a metrics file; an error names the file, the line and the field. */
  public static List<MetricsLine> read(String location) throws IOException {
    try (InputStream in = DataPaths.open(location)) {
      return read(in, location);
    }
  }

  /** Reads every line of {@code in}, named {@code name} in errors; blank lines are skipped. */
  public static List<MetricsLine> read(InputStream in, String name) throws IOException {
    List<MetricsLine> lines = new ArrayList<>();
    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    int number = 0;
    for (String text = r.readLine(); text != null; text = r.readLine()) {
      number++;
      if (text.isBlank()) {
        continue;
      }
      String where = name + " line " + number;
      JsonNode o;
      try {
        o = JSON.readTree(text);
      } catch (JacksonException e) {
        throw new IOException(where + ": not valid JSON: " + e.getOriginalMessage(), e);
      }
      if (o == null || !o.isObject()) {
        throw new IOException(where + ": not a JSON object");
      }
      try {
        lines.add(new MetricsLine(text(o, "kind", where), text(o, "stage", where),
            o.path("epoch").isNull() || o.path("epoch").isMissingNode() ? -1 : integer(o, "epoch", where),
            number(o, "seconds", where), number(o, "stage_seconds", where), number(o, "train_loss", where),
            integer(o, "top_k", where), number(o, "gap", where), number(o, "hit1", where), number(o, "perr", where),
            number(o, "map", where), number(o, "videos_per_s", where), number(o, "frames_per_s", where),
            o.path("parameters").asLong(-1)));
        Checkpoints.stageIndex(lines.get(lines.size() - 1).stage());
      } catch (IllegalArgumentException e) {
        throw new IOException(where + ": " + e.getMessage(), e);
      }
    }
    return lines;
  }

  private static String text(JsonNode o, String field, String where) throws IOException {
    JsonNode v = o.get(field);
    if (v == null || !v.isTextual()) {
      throw new IOException(where + ": field '" + field + "' is missing or not a string");
    }
    return v.asText();
  }

  private static int integer(JsonNode o, String field, String where) throws IOException {
    JsonNode v = o.get(field);
    if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new IOException(where + ": field '" + field + "' is missing or not an integer");
    }
    return v.asInt();
  }

  private static double number(JsonNode o, String field, String where) throws IOException {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return Double.NaN;
    }
    if (!v.isNumber()) {
      throw new IOException(where + ": field '" + field + "' is not a number");
    }
    return v.asDouble();
  }

  /** Where the log is written. */
  @Override
  public String toString() {
    return location;
  }
}
