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
      + "(default: the rows of --vocabulary if given; else train finds it in the data, one past the largest label, "
      + "and eval takes the models'; else 3862, YouTube-8M 2018).")
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

  int numClasses(Vocabulary vocab, int fallback) {
    if (classes != null) {
      return classes;
    }
    return vocab != null ? vocab.size() : fallback;
  }

  /** Whether the class count was given, by --classes or --vocabulary. */
  boolean classCountGiven() {
    return classes != null || vocabulary != null;
  }

  /**
   * One past the largest label in {@code files} (reading ids and labels only, as {@code open}, a
   * spec that admits any label, lays them out), at least 1: the class count of data that came
   * without a vocabulary.
   */
  int classesInData(List<InputFile> files, FeatureSpec open) throws IOException {
    int max = -1;
    try (VideoReader reader = VideoReader.labelsOnly(files, open, policy())) {
      for (org.vidar.data.VideoRecord r = reader.next(); r != null; r = reader.next()) {
        for (int label : r.labels()) {
          max = Math.max(max, label);
        }
      }
    }
    return Math.max(1, max + 1);
  }

  /** The spec for {@code files}, detecting the level from the first record when asked to. */
  FeatureSpec spec(List<InputFile> files, int numClasses) throws IOException {
    FeatureSpec.Level lvl = switch (level.toLowerCase(java.util.Locale.ROOT)) {
      case "video" -> FeatureSpec.Level.VIDEO;
      case "frame" -> FeatureSpec.Level.FRAME;
      case "auto" -> firstLayout(files, policy(), null).level();
      default -> throw new IllegalArgumentException("--level must be video, frame or auto, got " + level);
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
