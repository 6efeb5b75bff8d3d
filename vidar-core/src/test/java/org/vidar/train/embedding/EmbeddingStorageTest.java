package org.vidar.train.embedding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vidar.data.Seeds;
import org.vidar.data.TfRecordWriter;
import org.vidar.data.batch.VideoDataset;
import org.vidar.model.ModelConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.ExpertAllocation;
import org.vidar.train.LocalEngine;
import org.vidar.train.TrainFixtures;

/** Stage 1's embedding table in memory and in shard files, at every precision. */
class EmbeddingStorageTest {
  static final int DIM = 4;
  static final int CLASSES = 3;
  static final int VIDEOS = 37;

  @TempDir Path dir;

  /** A trunk with a hidden layer and context gating, so embeddings are not the features. */
  static VideoModel model() {
    ModelConfig mc = TrainFixtures.videoModel(DIM, CLASSES, List.of(6), true);
    return VideoModel.initialize(mc, ExpertAllocation.fixed(CLASSES, 1), Seeds.stream(5));
  }

  /** Every chunk of a source, flattened: embeddings, labels, per-video label counts and video keys. */
  record Flat(float[] emb, int[] labels, int[] counts, int rows, long[] keys) {}

  static Flat flatten(EmbeddingSource s, int maxRows) {
    List<Float> e = new ArrayList<>();
    List<Integer> l = new ArrayList<>();
    List<Integer> c = new ArrayList<>();
    List<Long> k = new ArrayList<>();
    s.forEachChunk(maxRows, (emb, rows, labels, offsets, keys) -> {
      assertTrue(rows <= maxRows);
      assertEquals(0, offsets[0]);
      for (int i = 0; i < rows * s.dim(); i++) {
        e.add(emb[i]);
      }
      for (int v = 0; v < rows; v++) {
        k.add(keys[v]);
        c.add(offsets[v + 1] - offsets[v]);
        for (int j = offsets[v]; j < offsets[v + 1]; j++) {
          l.add(labels[j]);
        }
      }
    });
    float[] emb = new float[e.size()];
    for (int i = 0; i < emb.length; i++) {
      emb[i] = e.get(i);
    }
    return new Flat(emb, l.stream().mapToInt(Integer::intValue).toArray(),
        c.stream().mapToInt(Integer::intValue).toArray(), c.size(), k.stream().mapToLong(Long::longValue).toArray());
  }

  static EmbeddingTable table(VideoDataset data, VideoModel m, EmbeddingPrecision p) {
    try (LocalEngine e = new LocalEngine(data, 2, 3)) {
      return e.embed(m, 5, p);
    }
  }

  /** Shard files of the dataset's videos 0..19 and 20..36, as a cluster engine writes them. */
  List<String> writeShards(VideoDataset data, VideoModel m, EmbeddingPrecision p) throws IOException {
    String a = dir.resolve(p.label() + "-part-0.tfrecord").toString();
    String b = dir.resolve(p.label() + "-part-1.tfrecord").toString();
    assertEquals(20, EmbeddingFiles.write(data.range(0, 0, 20), m, a, 3, p));
    assertEquals(VIDEOS - 20, EmbeddingFiles.write(data.range(1, 20, VIDEOS), m, b, 3, p));
    return List.of(a, b);
  }

  @ParameterizedTest
  @EnumSource(EmbeddingPrecision.class)
  void shardFilesHoldWhatTheInMemoryTableHolds(EmbeddingPrecision p) throws IOException {
    VideoDataset data = TrainFixtures.separableVideos(VIDEOS, DIM, CLASSES, 1);
    VideoModel m = model();
    EmbeddingTable inMemory = table(data, m, p);
    assertEquals(p, inMemory.precision());
    EmbeddingFiles.Source files = new EmbeddingFiles.Source(writeShards(data, m, p), 6, CLASSES, p);
    Flat t = flatten(inMemory, 8);
    Flat f = flatten(files, 8);
    assertEquals(VIDEOS, t.rows());
    assertEquals(VIDEOS, f.rows());
    assertArrayEquals(t.emb(), f.emb());
    assertArrayEquals(t.labels(), f.labels());
    assertArrayEquals(t.counts(), f.counts());
    assertArrayEquals(t.keys(), f.keys());
    for (int v = 0; v < VIDEOS; v++) {
      assertEquals(data.key(v), t.keys()[v], "video " + v + "'s key");
    }
    assertArrayEquals(data.labels(), f.labels());
    // Another chunk size gives the same rows.
    assertArrayEquals(t.emb(), flatten(files, 5).emb());
  }

  @ParameterizedTest
  @EnumSource(value = EmbeddingPrecision.class, names = {"FLOAT16", "BFLOAT16"})
  void sixteenBitTablesHoldTheRoundedFloat32Values(EmbeddingPrecision p) {
    VideoDataset data = TrainFixtures.separableVideos(VIDEOS, DIM, CLASSES, 2);
    VideoModel m = model();
    float[] exact = table(data, m, EmbeddingPrecision.FLOAT32).values();
    float[] rounded = table(data, m, p).values();
    assertEquals(exact.length, rounded.length);
    int changed = 0;
    for (int i = 0; i < exact.length; i++) {
      assertEquals(p.fromBits(p.toBits(exact[i])), rounded[i], 0f, "value " + i);
      // Relative rounding error: half a unit in the last place (2^-11 for float16, 2^-8 for bfloat16).
      double ulp = p == EmbeddingPrecision.FLOAT16 ? 0x1p-11 : 0x1p-8;
      assertTrue(Math.abs(rounded[i] - exact[i]) <= ulp * Math.abs(exact[i]) + 0x1p-24, exact[i] + " -> " + rounded[i]);
      changed += rounded[i] != exact[i] ? 1 : 0;
    }
    assertTrue(changed > exact.length / 2, "most values were rounded: " + changed + " of " + exact.length);
  }

  @Test
  void sixteenBitShardsTakeTwoBytesAValue() throws IOException {
    VideoDataset data = TrainFixtures.separableVideos(VIDEOS, DIM, CLASSES, 3);
    VideoModel m = model();
    long labels = data.labels().length;
    for (EmbeddingPrecision p : EmbeddingPrecision.values()) {
      long bytes = 0;
      for (String f : writeShards(data, m, p)) {
        bytes += Files.size(Path.of(f));
      }
      // Per record: 16 bytes of TFRecord framing, the video key, the label count, the labels, 6 values.
      assertEquals(VIDEOS * (16L + 8 + 4 + 6L * p.bytes()) + 4 * labels, bytes, p.label());
    }
  }

  @Test
  void aRecordOfTheWrongLengthIsNamed() throws IOException {
    Path f = dir.resolve("bad.tfrecord");
    ByteBuffer good = ByteBuffer.allocate(8 + 4 + 4 + 2 * 4).order(ByteOrder.LITTLE_ENDIAN);
    good.putLong(42L).putInt(1).putInt(2).putFloat(1f).putFloat(2f);
    ByteBuffer shortOne = ByteBuffer.allocate(8 + 4 + 4).order(ByteOrder.LITTLE_ENDIAN).putLong(43L).putInt(0)
        .putFloat(1f);
    try (OutputStream out = Files.newOutputStream(f); TfRecordWriter w = new TfRecordWriter(out)) {
      w.write(good.array());
      w.write(shortOne.array());
    }
    EmbeddingFiles.Source s = new EmbeddingFiles.Source(List.of(f.toString()), 2, CLASSES, EmbeddingPrecision.FLOAT32);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> flatten(s, 4));
    assertTrue(e.getMessage().contains("bad.tfrecord record 1") && e.getMessage().contains("16 bytes"), e.getMessage());
  }

  @Test
  void aLabelOutsideTheClassesIsNamed() throws IOException {
    Path f = dir.resolve("labels.tfrecord");
    ByteBuffer r = ByteBuffer.allocate(8 + 4 + 4 + 2 * 2).order(ByteOrder.LITTLE_ENDIAN);
    r.putLong(7L).putInt(1).putInt(CLASSES).putShort((short) 0).putShort((short) 0);
    try (OutputStream out = Files.newOutputStream(f); TfRecordWriter w = new TfRecordWriter(out)) {
      w.write(r.array());
    }
    EmbeddingFiles.Source s = new EmbeddingFiles.Source(List.of(f.toString()), 2, CLASSES, EmbeddingPrecision.BFLOAT16);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> flatten(s, 4));
    assertTrue(e.getMessage().contains("labels.tfrecord record 0: label 3 outside 0..2"), e.getMessage());
  }

  @Test
  void float16RefusesValuesItCannotHold() {
    assertEquals(65504f, EmbeddingPrecision.FLOAT16.fromBits(EmbeddingPrecision.FLOAT16.checkedBits(65504f, "x")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EmbeddingPrecision.FLOAT16.checkedBits(70000f, "shard 3 video 9"));
    assertTrue(e.getMessage().startsWith("shard 3 video 9: embedding value 70000.0 overflows float16"), e.getMessage());
    // bfloat16 has float's range; infinities stay what they are.
    assertEquals(70144f, EmbeddingPrecision.BFLOAT16.fromBits(EmbeddingPrecision.BFLOAT16.checkedBits(70000f, "x")));
    assertEquals(Float.POSITIVE_INFINITY,
        EmbeddingPrecision.FLOAT16.fromBits(EmbeddingPrecision.FLOAT16.checkedBits(Float.POSITIVE_INFINITY, "x")));
  }

  @Test
  void precisionsParseByName() {
    assertEquals(EmbeddingPrecision.BFLOAT16, EmbeddingPrecision.parse("bfloat16"));
    assertEquals(EmbeddingPrecision.FLOAT16, EmbeddingPrecision.parse(" Float16 "));
    assertEquals(EmbeddingPrecision.FLOAT32, EmbeddingPrecision.parse("FLOAT32"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EmbeddingPrecision.parse("fp8"));
    assertTrue(e.getMessage().contains("'fp8'"), e.getMessage());
  }
}
