package org.vidar.tfpeer;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;

/**
 * Reads YouTube-8M video-level TFRecord files ({@code tf.train.Example}: {@code id} bytes,
 * {@code labels} int64 list, {@code mean_rgb} 1024 floats, {@code mean_audio} 128 floats) into a
 * {@link VideoSet}, with TensorFlow's own generated protos. The input is concatenated and
 * L2-normalised here, once, as the starter code's {@code tf.nn.l2_normalize(x, 1)} does per batch.
 */
final class VideoLoader {
  static final int RGB_SIZE = 1024;
  static final int AUDIO_SIZE = 128;
  static final int DIMENSION = RGB_SIZE + AUDIO_SIZE;
  // tf.nn.l2_normalize's default epsilon: x / sqrt(max(sum(x^2), 1e-12)).
  private static final double NORM_EPSILON = 1e-12;

  private final int classes;

  /** A loader that checks every label against a vocabulary of {@code classes}. */
  VideoLoader(int classes) {
    this.classes = classes;
  }

  /** Reads every record of {@code files}, in order. */
  VideoSet load(List<Path> files) throws IOException {
    List<String> ids = new ArrayList<>();
    List<float[]> features = new ArrayList<>();
    List<int[]> labels = new ArrayList<>();
    TfRecordReader.forEach(files, (payload, where) -> {
      Example example;
      try {
        example = Example.parseFrom(payload);
      } catch (InvalidProtocolBufferException e) {
        throw new IOException(where + " is not a tf.train.Example: " + e.getMessage(), e);
      }
      Map<String, Feature> map = example.getFeatures().getFeatureMap();
      ids.add(readId(map, where));
      float[] x = new float[DIMENSION];
      readFloats(map, "mean_rgb", x, 0, RGB_SIZE, where);
      readFloats(map, "mean_audio", x, RGB_SIZE, AUDIO_SIZE, where);
      normalize(x);
      features.add(x);
      labels.add(readLabels(map, classes, where));
    });
    return new VideoSet(ids, features.toArray(new float[0][]), labels.toArray(new int[0][]), DIMENSION);
  }

  /** The record's video id, checked to fit the prediction CSV. */
  static String readId(Map<String, Feature> map, String where) throws IOException {
    // YouTube-8M 2018 names it "id", the 2017 release "video_id".
    Feature feature = map.containsKey("id") ? map.get("id") : map.get("video_id");
    if (feature == null || feature.getBytesList().getValueCount() != 1) {
      throw new IOException(where + ": field 'id' must hold exactly one bytes value");
    }
    ByteString bytes = feature.getBytesList().getValue(0);
    String id = bytes.toString(StandardCharsets.UTF_8);
    if (id.isEmpty() || id.indexOf(',') >= 0 || id.indexOf('\n') >= 0 || id.indexOf('\r') >= 0
        || id.indexOf('"') >= 0) {
      throw new IOException(where + ": field 'id' = '" + id
          + "' is empty or holds a comma, quote or line break, which the CSV output cannot hold");
    }
    return id;
  }

  private static void readFloats(Map<String, Feature> map, String name, float[] into, int at,
      int size, String where) throws IOException {
    Feature feature = map.get(name);
    if (feature == null || !feature.hasFloatList()) {
      throw new IOException(where + ": float field '" + name + "' is missing");
    }
    int count = feature.getFloatList().getValueCount();
    if (count != size) {
      throw new IOException(where + ": field '" + name + "' holds " + count + " floats, expected " + size);
    }
    for (int i = 0; i < size; i++) {
      into[at + i] = feature.getFloatList().getValue(i);
    }
  }

  /** The record's label indices, each checked against a vocabulary of {@code classes}. */
  static int[] readLabels(Map<String, Feature> map, int classes, String where) throws IOException {
    Feature feature = map.get("labels");
    if (feature == null) {
      return new int[0];
    }
    int count = feature.getInt64List().getValueCount();
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      long label = feature.getInt64List().getValue(i);
      if (label < 0 || label >= classes) {
        throw new IOException(where + ": field 'labels' holds " + label + ", outside [0, "
            + classes + ") (set --classes)");
      }
      labels[i] = (int) label;
    }
    return labels;
  }

  private static void normalize(float[] x) {
    double sum = 0;
    for (float v : x) {
      sum += (double) v * v;
    }
    float scale = (float) (1.0 / Math.sqrt(Math.max(sum, NORM_EPSILON)));
    for (int i = 0; i < x.length; i++) {
      x[i] *= scale;
    }
  }
}
