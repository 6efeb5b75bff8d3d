package org.vidar.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.vidar.data.Excerpt;
import org.vidar.model.ModelConfig;
import org.vidar.model.io.ModelFiles;

/**
 * One way the run that wrote a checkpoint and a run that would continue it differ: a training
 * option, the data or the model's shape, named by its field path ({@code train.seed},
 * {@code train.heads.maxExperts}, {@code data.train}, {@code model.trunk.hidden},
 * {@code classNames}), with the checkpoint's value and this run's. A resumed run ends with the
 * model an uninterrupted run would have, and its provenance tells the truth, only when there are none.
 *
 * <p>Compared: every field of {@link TrainConfig} but {@code chunkRows} (memory, not math); the
 * training and validation files, by resolved path and size; the class names; the model's features
 * and trunk. Not compared: the engine and the machine (they change floats in the last bits only),
 * whether bad records are skipped (the same files give the same records either way, or fail).
 *
 * @param field the field's path, as in {@code model.json}'s provenance (or {@code model.} and its
 *     field for the model's shape)
 * @param checkpoint its value in the checkpoint, as text
 * @param now its value in this run, as text
 */
public record RunDifference(String field, String checkpoint, String now) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_VALUE_CHARS = 80;

  /**
   * What differs between the run that wrote {@code checkpoint} and this run: its provenance
   * {@code now} (options and data), the model it would build, {@code model}, and its class names
   * (empty when it has none). Empty when the checkpoint can be continued as it was made.
   */
  public static List<RunDifference> between(Checkpoints.Checkpoint checkpoint, Provenance now, ModelConfig model,
      List<String> classNames) {
    List<RunDifference> out = new ArrayList<>();
    ModelFiles.Saved saved = checkpoint.saved();
    Provenance then = null;
    try {
      then = Provenance.fromJson(saved.provenance(), String.format(Locale.ROOT, "checkpoint stage-%03d",
          checkpoint.stage()));
      if (then.train() == null || then.data() == null) {
        throw new IOException("it holds no training options or data");
      }
    } catch (IOException e) {
      then = null;
      out.add(new RunDifference("provenance", "cannot be read (" + e.getMessage() + ")", "this run's options"));
    }
    if (then != null) {
      ObjectNode a = JSON.valueToTree(then.train());
      ObjectNode b = JSON.valueToTree(now.train());
      a.remove("chunkRows");
      b.remove("chunkRows");
      compare("train", a, b, out);
      files("data.train", then.data().train(), now.data().train(), out);
      files("data.validate", then.data().validate(), now.data().validate(), out);
    }
    names(saved.classNames(), classNames, out);
    compare("model", tree(saved.model().config()), tree(model), out);
    return out;
  }

  /** A model's configuration as JSON, less where its class count came from: that names the count, it is not part of it. */
  private static ObjectNode tree(ModelConfig config) {
    ObjectNode n = JSON.valueToTree(config);
    ((ObjectNode) n.get("features")).remove("classesFrom");
    return n;
  }

  /** Adds the leaves where {@code a} and {@code b} differ, objects field by field, anything else whole. */
  private static void compare(String path, JsonNode a, JsonNode b, List<RunDifference> out) {
    if (a.equals(b)) {
      return;
    }
    if (a.isObject() && b.isObject()) {
      Set<String> fields = new LinkedHashSet<>();
      a.fieldNames().forEachRemaining(fields::add);
      b.fieldNames().forEachRemaining(fields::add);
      for (String f : fields) {
        compare(path + "." + f, a.path(f), b.path(f), out);
      }
      return;
    }
    out.add(new RunDifference(path, text(a), text(b)));
  }

  private static String text(JsonNode n) {
    String s = n instanceof MissingNode ? "(none)" : n.isTextual() ? n.asText() : n.toString();
    return s.length() <= MAX_VALUE_CHARS ? s : s.substring(0, MAX_VALUE_CHARS) + "… (" + s.length() + " chars)";
  }

  /** The files as a count and a size, and the first that differs, when they differ. */
  private static void files(String path, List<Provenance.FileInfo> a, List<Provenance.FileInfo> b,
      List<RunDifference> out) {
    if (a.equals(b)) {
      return;
    }
    int i = 0;
    while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) {
      i++;
    }
    out.add(new RunDifference(path, describe(a, i), describe(b, i)));
  }

  private static String describe(List<Provenance.FileInfo> files, int first) {
    long bytes = 0;
    for (Provenance.FileInfo f : files) {
      bytes += f.bytes();
    }
    String all = String.format(Locale.ROOT, "%d file%s of %d bytes", files.size(), files.size() == 1 ? "" : "s", bytes);
    if (first >= files.size()) {
      return all;
    }
    Provenance.FileInfo f = files.get(first);
    return String.format(Locale.ROOT, "%s, file %d %s (%d bytes)", all, first + 1, f.path(), f.bytes());
  }

  private static void names(List<String> a, List<String> b, List<RunDifference> out) {
    if (a.equals(b)) {
      return;
    }
    int i = 0;
    while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) {
      i++;
    }
    out.add(new RunDifference("classNames", describeNames(a, i), describeNames(b, i)));
  }

  private static String describeNames(List<String> names, int first) {
    String all = names.size() + " class name" + (names.size() == 1 ? "" : "s");
    return first >= names.size() ? all : all + ", class " + first + " " + Excerpt.of(names.get(first));
  }

  /** {@code field: checkpoint in the checkpoint, now now}, one line. */
  @Override
  public String toString() {
    return field + ": " + checkpoint + " in the checkpoint, " + now + " now";
  }
}
