package org.vidar.tfpeer;

import java.util.List;
import java.util.Objects;

/**
 * Frame-level videos held in memory, still quantized: per video its id, its frames as one byte array
 * of {@code frameCount * dimension} bytes (each frame's rgb bytes, then its audio bytes) and its
 * label indices. Bytes, not floats, so a dataset takes a quarter of the memory; {@link
 * FrameBatchMaker} dequantizes only the frames a step samples.
 */
record FrameSet(List<String> ids, byte[][] frames, int[] frameCounts, int[][] labels, int dimension)
    implements LabelledVideos {

  FrameSet {
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(frames, "frames");
    Objects.requireNonNull(frameCounts, "frameCounts");
    Objects.requireNonNull(labels, "labels");
    if (frames.length != ids.size() || frameCounts.length != ids.size() || labels.length != ids.size()) {
      throw new IllegalArgumentException("ids " + ids.size() + ", frames " + frames.length
          + ", frame counts " + frameCounts.length + " and labels " + labels.length + " differ in length");
    }
    ids = List.copyOf(ids);
  }

  @Override
  public int size() {
    return ids.size();
  }
}
