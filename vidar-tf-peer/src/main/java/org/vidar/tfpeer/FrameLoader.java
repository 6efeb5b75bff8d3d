package org.vidar.tfpeer;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.FeatureList;
import org.tensorflow.proto.SequenceExample;

/**
 * Reads YouTube-8M frame-level TFRecord files ({@code tf.train.SequenceExample}: context {@code id}
 * and {@code labels}; feature lists {@code rgb} and {@code audio}, one bytes value of 1024 and 128
 * uint8-quantized features per frame) into a {@link FrameSet}. As the starter code's
 * YT8MFrameFeatureReader does, a video has as many frames as its shorter feature list, cut at the
 * first {@link #MAX_FRAMES}.
 */
final class FrameLoader {
  /** The starter code's max_frames: later frames are never read. */
  static final int MAX_FRAMES = 300;

  private final int classes;

  /** A loader that checks every label against a vocabulary of {@code classes}. */
  FrameLoader(int classes) {
    this.classes = classes;
  }

  /** Reads every record of {@code files}, in order. */
  FrameSet load(List<Path> files) throws IOException {
    List<String> ids = new ArrayList<>();
    List<byte[]> frames = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    List<int[]> labels = new ArrayList<>();
    TfRecordReader.forEach(files, (payload, where) -> {
      SequenceExample example;
      try {
        example = SequenceExample.parseFrom(payload);
      } catch (InvalidProtocolBufferException e) {
        throw new IOException(where + " is not a tf.train.SequenceExample: " + e.getMessage(), e);
      }
      Map<String, Feature> context = example.getContext().getFeatureMap();
      ids.add(VideoLoader.readId(context, where));
      labels.add(VideoLoader.readLabels(context, classes, where));
      Map<String, FeatureList> lists = example.getFeatureLists().getFeatureListMap();
      List<Feature> rgb = featureList(lists, "rgb", where);
      List<Feature> audio = featureList(lists, "audio", where);
      int count = Math.min(MAX_FRAMES, Math.min(rgb.size(), audio.size()));
      if (count == 0) {
        throw new IOException(where + ": the video has no frames (feature lists 'rgb' "
            + rgb.size() + ", 'audio' " + audio.size() + ")");
      }
      byte[] bytes = new byte[count * VideoLoader.DIMENSION];
      for (int t = 0; t < count; t++) {
        int at = t * VideoLoader.DIMENSION;
        copyFrame(rgb.get(t), "rgb", t, bytes, at, VideoLoader.RGB_SIZE, where);
        copyFrame(audio.get(t), "audio", t, bytes, at + VideoLoader.RGB_SIZE, VideoLoader.AUDIO_SIZE, where);
      }
      frames.add(bytes);
      counts.add(count);
    });
    int[] frameCounts = counts.stream().mapToInt(Integer::intValue).toArray();
    return new FrameSet(ids, frames.toArray(new byte[0][]), frameCounts, labels.toArray(new int[0][]),
        VideoLoader.DIMENSION);
  }

  private static List<Feature> featureList(Map<String, FeatureList> lists, String name, String where)
      throws IOException {
    FeatureList list = lists.get(name);
    if (list == null) {
      throw new IOException(where + ": feature list '" + name + "' is missing");
    }
    return list.getFeatureList();
  }

  private static void copyFrame(Feature feature, String name, int frame, byte[] into, int at, int size,
      String where) throws IOException {
    if (feature.getBytesList().getValueCount() != 1) {
      throw new IOException(where + ": feature list '" + name + "' frame " + frame
          + " must hold exactly one bytes value");
    }
    ByteString value = feature.getBytesList().getValue(0);
    if (value.size() != size) {
      throw new IOException(where + ": feature list '" + name + "' frame " + frame + " holds "
          + value.size() + " bytes, expected " + size);
    }
    value.copyTo(into, at);
  }
}
