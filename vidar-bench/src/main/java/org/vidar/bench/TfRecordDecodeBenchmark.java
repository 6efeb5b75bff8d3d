package org.vidar.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.vidar.data.ExampleCodec;
import org.vidar.data.FeatureSpec;
import org.vidar.data.InvalidRecordException;
import org.vidar.data.SequenceExampleCodec;
import org.vidar.data.TfRecordReader;
import org.vidar.data.TfRecordWriter;
import org.vidar.data.VideoRecord;

/**
 * Read throughput of the data layer on one core: a TFRecord file held in memory (so the disk is not
 * measured), read with CRC checks and decoded to float arrays. One operation is one record; the
 * setup prints the bytes per record so records/s converts to MB/s.
 *
 * <p>Run: {@code java -cp vidar-bench/target/classes:$(cat vidar-bench/target/runtime-classpath.txt)
 * org.openjdk.jmh.Main TfRecordDecodeBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TfRecordDecodeBenchmark {
  private static final int VIDEO_RECORDS = 2000;
  private static final int FRAME_RECORDS = 50;

  /** Frames per frame-level video (YouTube-8M videos run 120 to 300 seconds). */
  private static final int FRAMES_PER_VIDEO = 200;

  private byte[] videoFile;
  private byte[] frameFile;
  private ExampleCodec videoCodec;
  private SequenceExampleCodec frameCodec;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    SplittableRandom random = new SplittableRandom(42);
    FeatureSpec videoSpec = FeatureSpec.youtube8mVideo(3862);
    videoCodec = new ExampleCodec(videoSpec);
    videoFile = file(VIDEO_RECORDS, i -> videoCodec.encode(randomVideo(random, i, 1, 1152)));
    FeatureSpec frameSpec = FeatureSpec.youtube8mFrame(3862);
    frameCodec = new SequenceExampleCodec(frameSpec);
    frameFile = file(FRAME_RECORDS, i -> frameCodec.encode(randomVideo(random, i, FRAMES_PER_VIDEO, 1152)));
    System.out.printf("%nvideo-level: %d bytes per record; frame-level: %d bytes per record of %d frames%n",
        videoFile.length / VIDEO_RECORDS, frameFile.length / FRAME_RECORDS, FRAMES_PER_VIDEO);
  }

  private interface Encoder {
    byte[] encode(int i);
  }

  private static byte[] file(int records, Encoder encoder) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TfRecordWriter w = new TfRecordWriter(bytes)) {
      for (int i = 0; i < records; i++) {
        w.write(encoder.encode(i));
      }
    }
    return bytes.toByteArray();
  }

  private static VideoRecord randomVideo(SplittableRandom random, int i, int frames, int dim) {
    float[] f = new float[frames * dim];
    for (int j = 0; j < f.length; j++) {
      f[j] = (float) random.nextGaussian() * 0.5f;
    }
    return new VideoRecord(String.format("v%05d", i), new int[] {i % 1000, 1000 + i % 1000, 2000 + i % 1000},
        frames, f);
  }

  /** Framing, both CRCs and decoding of video-level Examples into float arrays. */
  @Benchmark
  @org.openjdk.jmh.annotations.OperationsPerInvocation(VIDEO_RECORDS)
  public void videoLevelReadDecode(Blackhole bh) throws IOException, InvalidRecordException {
    TfRecordReader reader = new TfRecordReader(new ByteArrayInputStream(videoFile), "bench");
    while (reader.next()) {
      bh.consume(videoCodec.decode(reader.payload(), reader.length()));
    }
  }

  /** Framing and both CRCs alone: the part of the read that does not depend on the message type. */
  @Benchmark
  @org.openjdk.jmh.annotations.OperationsPerInvocation(VIDEO_RECORDS)
  public void videoLevelFramingOnly(Blackhole bh) throws IOException {
    TfRecordReader reader = new TfRecordReader(new ByteArrayInputStream(videoFile), "bench");
    while (reader.next()) {
      bh.consume(reader.length());
    }
  }

  /** Framing, CRCs, SequenceExample decoding and dequantization; one operation is one frame. */
  @Benchmark
  @org.openjdk.jmh.annotations.OperationsPerInvocation(FRAME_RECORDS * FRAMES_PER_VIDEO)
  public void frameLevelReadDecode(Blackhole bh) throws IOException, InvalidRecordException {
    TfRecordReader reader = new TfRecordReader(new ByteArrayInputStream(frameFile), "bench");
    while (reader.next()) {
      bh.consume(frameCodec.decode(reader.payload(), reader.length()));
    }
  }
}
