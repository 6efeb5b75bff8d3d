package org.vidar.data.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
 * Frame-level data that do not fit the heap are refused with a message naming the bytes and how to
 * set the heap, before loading when the files' sizes tell, while loading when they cannot (sampled
 * frames): never an OutOfMemoryError. The heap is a small figure given to the budget, not a real one.
 */
class VideoDatasetMemoryTest {
  private static final FeatureSpec SPEC = new FeatureSpec(FeatureSpec.Level.FRAME, List.of("id"), "labels",
      List.of(new FeatureField("rgb", 32), new FeatureField("audio", 16)), 10, 300);
  private static final int VIDEOS = 50;
  private static final int FRAMES = 100;

  @TempDir Path dir;

  /** 50 videos of 100 frames of 48 quantized values: about 240,000 stored bytes, held as bytes. */
  private List<InputFile> write() throws IOException {
    SequenceExampleCodec codec = new SequenceExampleCodec(SPEC);
    Path file = dir.resolve("frames.tfrecord");
    try (TfRecordWriter out = new TfRecordWriter(Files.newOutputStream(file))) {
      for (int v = 0; v < VIDEOS; v++) {
        byte[] q = new byte[FRAMES * 48];
        for (int i = 0; i < q.length; i++) {
          q[i] = (byte) (v * 7 + i);
        }
        out.write(codec.encodeQuantized("v" + v, new int[] {v % 10}, FRAMES, q));
      }
    }
    return DataPaths.resolve(List.of(file.toString()));
  }

  private static MemoryBudget heap(long maxBytes) {
    return new MemoryBudget(maxBytes, () -> 0L);
  }

  @Test
  void framesThatDoNotFitAreRefusedBeforeLoadingNamingTheBytesAndTheHeapOption() throws IOException {
    List<InputFile> files = write();
    long stored = files.get(0).length();
    MemoryBudget.InsufficientMemoryException e = assertThrows(MemoryBudget.InsufficientMemoryException.class,
        () -> VideoDataset.load(files, SPEC, BadRecordPolicy.FAIL, FrameSampling.ALL, heap(400_000)));
    String m = e.getMessage();
    // The values held as bytes, and a double a frame (at most one per 48 stored bytes).
    assertTrue(m.startsWith("frame-level training on the local engine holds its training videos in memory: about "
        + MemoryBudget.bytes(stored + stored / 48 * 8)), m);
    assertTrue(m.contains(stored + " stored bytes of 1 file(s)"), m);
    assertTrue(m.contains("the heap has 0.4 MiB left") && m.contains("VIDAR_JAVA_OPTS=-Xmx")
        && m.contains("java -Xmx") && m.contains("--sample-frames") && m.contains("--engine spark"), m);

    VideoDataset fits = VideoDataset.load(files, SPEC, BadRecordPolicy.FAIL, FrameSampling.ALL, heap(1_200_000));
    assertEquals(VIDEOS, fits.size());
    assertEquals((long) VIDEOS * FRAMES, fits.featureRows());
    assertEquals((long) VIDEOS * FRAMES * (48 + 8), fits.featureBytes(), "a byte a value, a double a frame");
  }

  @Test
  void sampledFramesThatDoNotFitAreRefusedWhileLoading() throws IOException {
    List<InputFile> files = write();
    // The sizes bound nothing once frames are sampled: the check comes before each larger array.
    MemoryBudget.InsufficientMemoryException e = assertThrows(MemoryBudget.InsufficientMemoryException.class,
        () -> VideoDataset.load(files, SPEC, BadRecordPolicy.FAIL, new FrameSampling(60, 1), heap(100_000)));
    assertTrue(e.getMessage().startsWith("loading the training videos into memory needs ")
        && e.getMessage().contains(" more, holding ") && e.getMessage().contains("-Xmx"), e.getMessage());
    VideoDataset fits = VideoDataset.load(files, SPEC, BadRecordPolicy.FAIL, new FrameSampling(60, 1), heap(1_000_000));
    assertEquals((long) VIDEOS * 60, fits.featureRows());
  }
}
