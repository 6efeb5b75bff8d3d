package org.vidar.data;

import java.util.List;

/**
 * Where a dataset keeps each part of a video: the id keys tried in order, the labels key, the named
 * float features with their sizes, the class vocabulary size and, for frame-level data, the most
 * frames kept per video. YouTube-8M's layout is the default; other datasets name their own keys.
 *
 * @param level video-level {@code tf.train.Example} or frame-level {@code tf.train.SequenceExample}
 * @param idKeys keys tried in order for the video id (YouTube-8M 2018 uses {@code id}, 2017 {@code video_id})
 * @param labelsKey key of the int64 label list
 * @param features the float features, concatenated in this order into one vector per video or frame
 * @param numClasses vocabulary size: labels must lie in [0, numClasses)
 * @param maxFrames frame-level only: frames past this many are not decoded (the YouTube-8M starter
 *     code keeps 300); readers count the videos so shortened
 * @param classesFrom where {@code numClasses} came from, completing "the N classes ..." in the error
 *     about a label outside them ({@code "of the model /m/model.json"}, {@code "given by --classes"});
 *     null when not said. It names, it does not define: two specs that differ in it alone are equal
 */
public record FeatureSpec(
    Level level,
    List<String> idKeys,
    String labelsKey,
    List<FeatureField> features,
    int numClasses,
    int maxFrames,
    String classesFrom) implements java.io.Serializable {

  /** Video-level or frame-level records. */
  public enum Level {
    VIDEO,
    FRAME
  }

  /** Classes in the YouTube-8M 2018 vocabulary. */
  public static final int YT8M_2018_CLASSES = 3862;
  /** Frames the YouTube-8M starter code reads at most. */
  public static final int YT8M_MAX_FRAMES = 300;

  public FeatureSpec {
    if (level == null) {
      throw new IllegalArgumentException("level must be set");
    }
    idKeys = List.copyOf(idKeys);
    features = List.copyOf(features);
    if (idKeys.isEmpty()) {
      throw new IllegalArgumentException("at least one id key is needed");
    }
    if (labelsKey == null || labelsKey.isEmpty()) {
      throw new IllegalArgumentException("labels key must not be empty");
    }
    if (features.isEmpty()) {
      throw new IllegalArgumentException("at least one feature is needed");
    }
    if (features.stream().map(FeatureField::name).distinct().count() != features.size()) {
      throw new IllegalArgumentException("feature names must be distinct: " + features);
    }
    if (numClasses <= 0) {
      throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
    }
    if (maxFrames <= 0) {
      throw new IllegalArgumentException("maxFrames must be positive, got " + maxFrames);
    }
  }

  /** A spec that does not say where its class count came from. */
  public FeatureSpec(Level level, List<String> idKeys, String labelsKey, List<FeatureField> features, int numClasses,
      int maxFrames) {
    this(level, idKeys, labelsKey, features, numClasses, maxFrames, null);
  }

  /** YouTube-8M video-level records: {@code mean_rgb} (1024) and {@code mean_audio} (128). */
  public static FeatureSpec youtube8mVideo(int numClasses) {
    return new FeatureSpec(Level.VIDEO, List.of("id", "video_id"), "labels",
        List.of(new FeatureField("mean_rgb", 1024), new FeatureField("mean_audio", 128)),
        numClasses, YT8M_MAX_FRAMES);
  }

  /** YouTube-8M frame-level records: {@code rgb} (1024) and {@code audio} (128) per second. */
  public static FeatureSpec youtube8mFrame(int numClasses) {
    return new FeatureSpec(Level.FRAME, List.of("id", "video_id"), "labels",
        List.of(new FeatureField("rgb", 1024), new FeatureField("audio", 128)),
        numClasses, YT8M_MAX_FRAMES);
  }

  /** The YouTube-8M default for a level. */
  public static FeatureSpec youtube8m(Level level, int numClasses) {
    return level == Level.VIDEO ? youtube8mVideo(numClasses) : youtube8mFrame(numClasses);
  }

  /** Values per video (video-level) or per frame (frame-level): the sum of the feature sizes. */
  public int dimension() {
    int d = 0;
    for (FeatureField f : features) {
      d += f.size();
    }
    return d;
  }

  /** This spec with another vocabulary size, whose source it no longer says. */
  public FeatureSpec withNumClasses(int classes) {
    return new FeatureSpec(level, idKeys, labelsKey, features, classes, maxFrames);
  }

  /** This spec with another vocabulary size, and where that came from (see {@link #classesFrom}). */
  public FeatureSpec withNumClasses(int classes, String from) {
    return new FeatureSpec(level, idKeys, labelsKey, features, classes, maxFrames, from);
  }

  /** This spec saying where its class count came from (see {@link #classesFrom}). */
  public FeatureSpec withClassesFrom(String from) {
    return new FeatureSpec(level, idKeys, labelsKey, features, numClasses, maxFrames, from);
  }

  /** This spec with another frame limit. */
  public FeatureSpec withMaxFrames(int frames) {
    return new FeatureSpec(level, idKeys, labelsKey, features, numClasses, frames, classesFrom);
  }

  /** "the 300 classes of the model /m/model.json": the classes a label must lie in, and where they came from. */
  public String classesDescription() {
    return "the " + numClasses + " classes" + (classesFrom == null ? "" : " " + classesFrom);
  }

  // Where the class count came from is for messages: a spec read back from a model file reads the
  // same records as the one the model was trained with, and must compare equal to it.
  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureSpec s && level == s.level && idKeys.equals(s.idKeys) && labelsKey.equals(s.labelsKey)
        && features.equals(s.features) && numClasses == s.numClasses && maxFrames == s.maxFrames;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(level, idKeys, labelsKey, features, numClasses, maxFrames);
  }
}
