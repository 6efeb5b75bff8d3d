package org.vidar.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.vidar.data.BadRecordException;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.FeatureField;
import org.vidar.data.FeatureSpec;
import org.vidar.data.InputFile;
import org.vidar.data.InvalidRecordException;
import org.vidar.data.VideoReader;
import org.vidar.data.RecordLayout;
import org.vidar.data.TfRecordReader;
import org.vidar.data.Vocabulary;
import picocli.CommandLine.Option;

/** The options that say how to read a dataset, shared by every command that reads TFRecords. */
final class DataOptions {
  @Option(names = "--level", defaultValue = "auto",
      description = "video (tf.train.Example), frame (tf.train.SequenceExample) or auto: "
          + "decided from the first record (default: ${DEFAULT-VALUE}).")
  String level;

  @Option(names = "--features", split = ",", paramLabel = "NAME:SIZE",
      description = "Float features in order, e.g. mean_rgb:1024,mean_audio:128 (default: YouTube-8M's "
          + "mean_rgb:1024,mean_audio:128 for video level, rgb:1024,audio:128 for frame level).")
  List<String> features;

  @Option(names = "--id-key", split = ",", description = "Keys tried for the video id (default: id,video_id).")
  List<String> idKeys;

  @Option(names = "--labels-key", defaultValue = "labels", description = "Key of the labels (default: ${DEFAULT-VALUE}).")
  String labelsKey;

  @Option(names = "--classes", description = "Vocabulary size; labels must lie below it "
      + "(default: the rows of --vocabulary if given; else eval takes the first model's; else one past the largest "
      + "class in the data, said on stderr; inspect then checks no range).")
  Integer classes;

  @Option(names = "--vocabulary", paramLabel = "CSV", description = "Class vocabulary CSV (Index,Name,...).")
  String vocabulary;

  @Option(names = "--max-frames", defaultValue = "" + FeatureSpec.YT8M_MAX_FRAMES,
      description = "Frame level: frames read per video at most (default: ${DEFAULT-VALUE}, as the starter code).")
  int maxFrames;

  @Option(names = "--skip-bad-records",
      description = "Skip bad records, count them and report why, instead of stopping at the first one.")
  boolean skipBad;

  BadRecordPolicy policy() {
    return skipBad ? BadRecordPolicy.SKIP : BadRecordPolicy.FAIL;
  }

  /** The vocabulary, or null when none was given. */
  Vocabulary loadVocabulary() throws IOException {
    if (vocabulary == null) {
      return null;
    }
    try (InputStream in = DataPaths.open(vocabulary)) {
      return Vocabulary.read(in, vocabulary);
    }
  }

  /**
   * A class count and where it came from, as {@link FeatureSpec#classesFrom} says it ("of the
   * vocabulary v.csv", "given by --classes").
   */
  record ClassCount(int count, String from) {}

  /** The most classes a count found in the data may give: past it, a stray label would make the arrays too large to hold. */
  static final int MAX_CLASSES_FROM_DATA = 1 << 20;

  /**
   * The class count given by {@code --classes} or {@code --vocabulary} (which must agree when both
   * are given), or null when neither was: the caller then takes the model's or the data's.
   */
  ClassCount givenClasses(Vocabulary vocab) {
    if (classes != null && vocab != null && classes != vocab.size()) {
      throw new UsageException("--classes " + classes + " and --vocabulary " + vocabulary + " (" + vocab.size()
          + " classes) disagree: give one of them");
    }
    if (classes != null) {
      return new ClassCount(classes, "given by --classes");
    }
    return vocab == null ? null : new ClassCount(vocab.size(), "of the vocabulary " + vocabulary);
  }

  /**
   * The class count of data without a vocabulary: one past {@code largest}, the largest class index
   * {@code where} (a phrase naming the files) holds, at least 1, and said on stderr.
   */
  static ClassCount classesFromData(long largest, String where) {
    if (largest >= MAX_CLASSES_FROM_DATA) {
      throw new IllegalArgumentException("the largest class in " + where + " is " + largest + ", which would make "
          + (largest + 1) + " classes, more than the " + MAX_CLASSES_FROM_DATA + " a count taken from the data may "
          + "reach: give --vocabulary or --classes");
    }
    int count = (int) Math.max(1, largest + 1);
    System.err.printf(java.util.Locale.ROOT, "classes: %d, one past the largest class in %s (give --vocabulary or "
        + "--classes to set them)%n", count, where);
    return new ClassCount(count, "found in the data (one past the largest class in " + where + ")");
  }

  /**
   * The largest label in {@code files} (reading ids and labels only, as {@code open}, a spec that
   * admits any label, lays them out), or -1 when there is none.
   */
  long largestLabel(List<InputFile> files, FeatureSpec open) throws IOException {
    long max = -1;
    try (VideoReader reader = VideoReader.labelsOnly(files, open, policy())) {
      for (org.vidar.data.VideoRecord r = reader.next(); r != null; r = reader.next()) {
        for (int label : r.labels()) {
          max = Math.max(max, label);
        }
      }
    }
    return max;
  }

  /** The spec for {@code files} with {@code classes}, or admitting any label when it is null. */
  FeatureSpec spec(List<InputFile> files, ClassCount classes) throws IOException {
    return classes == null ? spec(files, Integer.MAX_VALUE) : spec(files, classes.count()).withClassesFrom(classes.from());
  }

  /** The spec for {@code files}, detecting the level from the first record when asked to. */
  FeatureSpec spec(List<InputFile> files, int numClasses) throws IOException {
    FeatureSpec.Level lvl = switch (level.toLowerCase(java.util.Locale.ROOT)) {
      case "video" -> FeatureSpec.Level.VIDEO;
      case "frame" -> FeatureSpec.Level.FRAME;
      case "auto" -> firstLayout(files, policy(), null).level();
      default -> throw new UsageException("--level must be video, frame or auto, got " + level);
    };
    FeatureSpec base = FeatureSpec.youtube8m(lvl, numClasses).withMaxFrames(maxFrames);
    List<FeatureField> fields = features == null ? base.features()
        : features.stream().map(FeatureField::parse).toList();
    return new FeatureSpec(lvl, idKeys == null ? base.idKeys() : idKeys, labelsKey, fields, numClasses, maxFrames);
  }

  /**
   * The layout of the first sound record, parsed as a record of {@code level} (the codecs' parse, so
   * it refuses what they refuse), or with the level told from it when {@code level} is null. Under
   * the skip policy unreadable records are passed over (the reader that follows counts them); under
   * the fail policy the first one is the error.
   */
  static RecordLayout firstLayout(List<InputFile> files, BadRecordPolicy policy, FeatureSpec.Level level)
      throws IOException {
    for (InputFile f : files) {
      try (TfRecordReader r = new TfRecordReader(f.open(), f.name())) {
        while (true) {
          try {
            if (!r.next()) {
              break;
            }
            return level == null ? RecordLayout.of(r.payload(), r.length())
                : RecordLayout.of(r.payload(), r.length(), level);
          } catch (BadRecordException e) {
            if (policy == BadRecordPolicy.FAIL) {
              throw e;
            }
          } catch (InvalidRecordException e) {
            if (policy == BadRecordPolicy.FAIL) {
              throw new BadRecordException(f.name(), r.recordIndex(), r.recordOffset(), e.problem(), e.getMessage());
            }
          }
        }
      }
    }
    throw new IOException("the input files hold no readable records");
  }
}
