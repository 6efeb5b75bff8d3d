package org.vidar.data.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.FeatureField;
import org.vidar.data.FeatureSpec;
import org.vidar.data.InputFile;
import org.vidar.data.SequenceExampleCodec;
import org.vidar.data.TfRecordWriter;

/**
 * Frame-level pre-training draws other frames every epoch, the same on both engines: in memory
 * (every frame held, a {@link VideoDataset#sampled} view) and streamed from the files; the stages'
 * shards see the one fixed sample a file read with the run's sampling gives.
 */
class EpochFrameSamplingTest {
  private static final FeatureSpec SPEC = new FeatureSpec(FeatureSpec.Level.FRAME, List.of("id"), "labels",
      List.of(new FeatureField("rgb", 6), new FeatureField("audio", 2)), 3, 300);
  private static final int VIDEOS = 40;
  private static final FrameSampling FOUR = new FrameSampling(4, 11);

  @TempDir Path dir;

  /** Videos of 1..12 frames of random bytes, so that every frame row differs. */
  private List<InputFile> write() throws IOException {
    SequenceExampleCodec codec = new SequenceExampleCodec(SPEC);
    SplittableRandom r = new SplittableRandom(5);
    Path file = dir.resolve("frames.tfrecord");
    try (TfRecordWriter out = new TfRecordWriter(Files.newOutputStream(file))) {
      for (int v = 0; v < VIDEOS; v++) {
        int frames = 1 + v % 12;
        byte[] q = new byte[frames * 8];
        for (int i = 0; i < q.length; i++) {
          q[i] = (byte) r.nextInt(256);
        }
        out.write(codec.encodeQuantized("v" + v, new int[] {v % 3}, frames, q));
      }
    }
    return DataPaths.resolve(List.of(file.toString()));
  }

  /** Each video's feature rows over one epoch, by key. */
  private static Map<Long, float[]> epoch(PretrainData data, int epoch) throws IOException {
    Map<Long, float[]> rows = new HashMap<>();
    data.epoch(epoch, 7, 3, b -> {
      for (int i = 0; i < b.rows; i++) {
        rows.put(b.keys[i], Arrays.copyOfRange(b.features, b.frameOffsets[i] * 8, b.frameOffsets[i + 1] * 8));
      }
    });
    return rows;
  }

  @Test
  void eachEpochDrawsItsOwnFramesAndBothEnginesDrawTheSame() throws IOException {
    List<InputFile> files = write();
    VideoDataset all = VideoDataset.load(files, SPEC, BadRecordPolicy.FAIL, FrameSampling.ALL);
    PretrainData inMemory = new InMemoryPretrainData(all.sampled(FOUR));
    PretrainData streamed = new StreamingPretrainData(files, SPEC, BadRecordPolicy.FAIL, FOUR, 16);
    Map<Long, float[]> first = epoch(inMemory, 0);
    Map<Long, float[]> second = epoch(inMemory, 1);
    assertEquals(VIDEOS, first.size());
    int changed = 0;
    for (Map.Entry<Long, float[]> e : first.entrySet()) {
      assertEquals(4 * 8, e.getValue().length, "four frames a video, whatever its length");
      if (!Arrays.equals(e.getValue(), second.get(e.getKey()))) {
        changed++;
      }
    }
    // Videos of 1..12 frames: most draws of 4 differ from epoch to epoch.
    assertTrue(changed > VIDEOS / 2, changed + " of " + VIDEOS + " videos saw other frames in epoch 1");
    for (int e = 0; e < 2; e++) {
      Map<Long, float[]> memory = epoch(inMemory, e);
      Map<Long, float[]> files2 = epoch(streamed, e);
      for (Map.Entry<Long, float[]> v : memory.entrySet()) {
        assertArrayEquals(files2.get(v.getKey()), v.getValue(), "epoch " + e + ", video key " + v.getKey());
      }
    }
  }

  @Test
  void theStagesShardsSeeTheFixedSampleAFileReadGives() throws IOException {
    List<InputFile> files = write();
    VideoDataset view = VideoDataset.load(files, SPEC, BadRecordPolicy.FAIL, FrameSampling.ALL).sampled(FOUR);
    VideoDataset loadedSampled = VideoDataset.load(files, SPEC, BadRecordPolicy.FAIL, FOUR);
    VideoBatch a = new VideoBatch(FeatureSpec.Level.FRAME, 8);
    VideoBatch b = new VideoBatch(FeatureSpec.Level.FRAME, 8);
    view.range(0, 0, VIDEOS).next(a, VIDEOS);
    loadedSampled.range(0, 0, VIDEOS).next(b, VIDEOS);
    assertEquals(b.featureRows(), a.featureRows());
    assertArrayEquals(Arrays.copyOf(b.frameOffsets, VIDEOS + 1), Arrays.copyOf(a.frameOffsets, VIDEOS + 1));
    assertArrayEquals(Arrays.copyOf(b.features, b.featureRows() * 8), Arrays.copyOf(a.features, a.featureRows() * 8));
    // A subset keeps every frame and the view's sampling.
    VideoDataset some = view.subset(new int[] {9, 2});
    assertEquals(FOUR, some.sampling());
    assertEquals(10 + 3, some.featureRows());
    VideoBatch c = new VideoBatch(FeatureSpec.Level.FRAME, 8);
    some.range(0, 0, 2).next(c, 2);
    assertArrayEquals(Arrays.copyOfRange(b.features, b.frameOffsets[9] * 8, b.frameOffsets[10] * 8),
        Arrays.copyOfRange(c.features, 0, 4 * 8));
  }
}
