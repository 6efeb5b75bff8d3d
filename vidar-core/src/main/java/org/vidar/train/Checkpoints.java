package org.vidar.train;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.vidar.data.DataPaths;
import org.vidar.model.VideoModel;
import org.vidar.model.io.ModelFiles;

/**
 * The model after every stage, in a directory of model directories named {@code stage-NNN} (0 =
 * pre-training, 2r-1 = round r's heads, 2r = round r's trunk). Each is written under a hidden name
 * and renamed into place whole, so a crash never leaves a half-written checkpoint under a final
 * name; resuming takes the highest complete one.
 */
public final class Checkpoints {
  /** How checkpoints are named; each is written under {@link DataPaths#temporaryName} of its name first. */
  public static final Pattern NAMES = Pattern.compile("stage-(\\d{3})");
  private final String dir;

  public Checkpoints(String dir) {
    this.dir = dir;
  }

  /** A checkpoint read back: the stage it ends and the model. */
  public record Checkpoint(int stage, ModelFiles.Saved saved) {}

  /** Index of a stage name as {@link Trainer} reports it. */
  public static int stageIndex(String stage) {
    if (stage.equals("pretrain")) {
      return 0;
    }
    Matcher m = Pattern.compile("round (\\d+) (heads|trunk)").matcher(stage);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a stage name: " + stage);
    }
    int round = Integer.parseInt(m.group(1));
    return m.group(2).equals("heads") ? 2 * round - 1 : 2 * round;
  }

  /** The directory the checkpoints are in. */
  public String directory() {
    return dir;
  }

  /**
   * Where a run starts: afresh (empty) when {@code resume} is false, or after the latest
   * checkpoint when it is true. Refuses to start afresh over an earlier run's checkpoints (they
   * would be mixed with this run's) and to resume where there is none.
   */
  public Optional<Checkpoint> startingPoint(boolean resume) throws IOException {
    Optional<Checkpoint> latest = latest();
    if (!resume && latest.isPresent()) {
      throw new IllegalArgumentException("checkpoints of an earlier run are in " + dir
          + ": continue it with --resume DIR, or delete them or choose --checkpoints elsewhere");
    }
    if (resume && latest.isEmpty()) {
      throw new IllegalArgumentException("--resume " + dir + ": no checkpoint (stage-NNN) there");
    }
    return latest;
  }

  /**
   * Writes the model that ends stage {@code stage}, with {@code provenance} (a JSON object) and the
   * stage's name and index added to it.
   */
  public void write(String stage, VideoModel model, List<String> classNames, ObjectNode provenance)
      throws IOException {
    int index = stageIndex(stage);
    String name = String.format("stage-%03d", index);
    String tmp = DataPaths.join(dir, DataPaths.temporaryName(name));
    ObjectNode p = provenance.deepCopy();
    p.put("stage", stage);
    p.put("stageIndex", index);
    ModelFiles.save(tmp, model, classNames, p);
    String target = DataPaths.join(dir, name);
    if (DataPaths.exists(target)) {
      throw new IOException("checkpoint " + target + " exists already: resume from it or choose another directory");
    }
    DataPaths.renameDirectory(tmp, target);
  }

  /** The checkpoint of the latest stage, if any. */
  public Optional<Checkpoint> latest() throws IOException {
    int best = -1;
    for (String n : DataPaths.list(dir)) {
      Matcher m = NAMES.matcher(n);
      if (m.matches()) {
        best = Math.max(best, Integer.parseInt(m.group(1)));
      }
    }
    if (best < 0) {
      return Optional.empty();
    }
    return Optional.of(new Checkpoint(best, ModelFiles.load(DataPaths.join(dir, String.format("stage-%03d", best)))));
  }
}
