package org.vidar.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vidar.ProbeTally;
import org.vidar.data.ProtobufOracle.Verdict;
import org.vidar.data.WireTree.Node;
import org.vidar.data.WireTree.Type;

/**
 * A seeded mutation fuzzer of the record decoders with protobuf-java's parser as the oracle. It
 * starts from valid records written by the codecs, edits their structure (fields duplicated,
 * dropped, swapped or grafted from another record, wire types changed, unknown fields and groups
 * added, packed lists split, lengths and tags written long or wrong, keys made invalid UTF-8) and
 * their bytes (bits flipped, bytes inserted, deleted or cut, junk appended, records concatenated),
 * and checks every result: where protobuf refuses the bytes the codec throws a MALFORMED
 * {@link InvalidRecordException}; where protobuf accepts them the codec returns exactly the record
 * protobuf's values give, or names the same problem the extraction rules name. Nothing else may
 * come out, and no input may take long.
 *
 * <p>{@code -Dvidar.fuzz.cases=N} runs more cases (default {@value #DEFAULT_CASES}, and a twenty-fifth
 * as many damaged files), {@code -Dvidar.fuzz.seed=S} other ones. The seed and counts are printed.
 */
class RecordDecoderFuzzTest {
  private static final int DEFAULT_CASES = 40_000;
  private static final int CASES = Integer.getInteger("vidar.fuzz.cases", DEFAULT_CASES);
  private static final long SEED = Long.getLong("vidar.fuzz.seed", 0x5eed_0012L);
  /** No single input may take longer to decode than this (protobuf's own parse is not timed). */
  private static final long MAX_NANOS_PER_INPUT = 1_000_000_000L;

  static final FeatureSpec SMALL_VIDEO = new FeatureSpec(FeatureSpec.Level.VIDEO, List.of("id", "video_id"),
      "labels", List.of(new FeatureField("a", 4), new FeatureField("b", 3)), 50, 300);
  static final FeatureSpec SMALL_FRAME = new FeatureSpec(FeatureSpec.Level.FRAME, List.of("id", "video_id"),
      "labels", List.of(new FeatureField("rgb", 6), new FeatureField("audio", 3)), 50, 3);
  private static final FeatureSpec YT8M_VIDEO = FeatureSpec.youtube8mVideo(FeatureSpec.YT8M_2018_CLASSES);

  /** Keys a mutation may rename a key to, so that entries collide. */
  private static final String[] KEYS = {"id", "video_id", "labels", "a", "b", "rgb", "audio", "mean_rgb", "mean_audio", ""};

  @TempDir
  Path dir;

  /** The valid records of one spec, and their trees. */
  private record Bases(FeatureSpec spec, Type root, List<byte[]> payloads, List<Node> trees) {}

  private static Bases bases(FeatureSpec spec, int count, SplittableRandom r) {
    RecordCodec codec = RecordCodec.forSpec(spec);
    Type root = spec.level() == FeatureSpec.Level.VIDEO ? Type.EXAMPLE : Type.SEQUENCE_EXAMPLE;
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      payloads.add(codec.encode(randomVideo(spec, i, r)));
    }
    // and a few written by protobuf-java with keys the spec does not read
    for (int i = 0; i < Math.max(1, count / 4); i++) {
      payloads.add(withExtraKeys(spec, codec.encode(randomVideo(spec, count + i, r)), r));
    }
    List<Node> trees = payloads.stream().map(p -> WireTree.parse(root, p)).toList();
    return new Bases(spec, root, payloads, trees);
  }

  static VideoRecord randomVideo(FeatureSpec spec, int i, SplittableRandom r) {
    String id = switch (r.nextInt(4)) {
      case 0 -> "v" + i;
      case 1 -> "vidéo-" + i + "-日本";
      case 2 -> "";
      default -> "Xy" + Long.toString(r.nextLong(1L << 40), 36);
    };
    int[] labels = r.ints(r.nextInt(5), 0, spec.numClasses()).distinct().sorted().toArray();
    int frames = spec.level() == FeatureSpec.Level.VIDEO ? 1 : 1 + r.nextInt(5);
    float[] f = new float[frames * spec.dimension()];
    for (int j = 0; j < f.length; j++) {
      f[j] = switch (r.nextInt(10)) {
        case 0 -> -0f;
        case 1 -> 1e-40f;
        default -> (float) (r.nextDouble() * 4 - 2);
      };
    }
    if (spec.level() == FeatureSpec.Level.FRAME) {
      // the values the codec writes are quantized; keep the record's floats those it reads back
      for (int j = 0; j < f.length; j++) {
        f[j] = Quantization.dequantize(Quantization.quantize(f[j]));
      }
    }
    return new VideoRecord(id, labels, frames, f);
  }

  /** The record with extra context keys of each kind appended as a second Features occurrence. */
  private static byte[] withExtraKeys(FeatureSpec spec, byte[] payload, SplittableRandom r) {
    byte[] extra = TfProtos.features(TfProtos.ordered(
        "segment_scores", TfProtos.floatFeature(0.5f, (float) r.nextDouble()),
        "segment_labels", TfProtos.int64Feature(r.nextLong(), -5),
        "title", TfProtos.bytesFeature("a video"),
        "nothing", com.google.protobuf.DynamicMessage.newBuilder(TfProtos.FEATURE).build())).toByteArray();
    return TfProtos.concat(TfProtos.wire(c -> c.writeByteArray(1, extra)), payload);
  }

  // ---- mutations ----

  private static final byte[] INTERESTING = {0x00, (byte) 0x80, (byte) 0xff, 0x7f, 0x01, 0x08, 0x0a, 0x0b, 0x0c,
      0x0d, 0x0e, 0x0f, 0x12, 0x15, 0x1a, 0x22, (byte) 0xc0, (byte) 0xed};

  private static byte[] mutate(Bases b, int baseIndex, SplittableRandom r, List<String> trail) {
    Node tree = b.trees().get(baseIndex).copy();
    int structural = r.nextInt(4);
    for (int i = 0; i < structural; i++) {
      trail.add(mutateTree(tree, b, r));
    }
    byte[] bytes = WireTree.write(tree);
    int byteLevel = structural == 0 ? 1 + r.nextInt(3) : r.nextInt(3) == 0 ? 1 : 0;
    for (int i = 0; i < byteLevel; i++) {
      int before = bytes.length;
      bytes = mutateBytes(bytes, b, r, trail);
      trail.set(trail.size() - 1, trail.get(trail.size() - 1) + " (" + before + " -> " + bytes.length + " bytes)");
    }
    return bytes;
  }

  private static <T> T pick(List<T> list, SplittableRandom r) {
    return list.get(r.nextInt(list.size()));
  }

  private static String mutateTree(Node root, Bases b, SplittableRandom r) {
    List<Node[]> nodes = WireTree.nodesWithParents(root);
    if (nodes.isEmpty()) {
      root.children.add(unknownField(r, 0));
      return "unknown field into an empty message";
    }
    Node[] pn = pick(nodes, r);
    Node parent = pn[0];
    Node node = pn[1];
    int at = parent.children.indexOf(node);
    switch (r.nextInt(11)) {
      case 0 -> {
        parent.children.add(at + 1, node.copy());
        return "duplicate " + describe(node) + " in " + parent.type;
      }
      case 1 -> {
        parent.children.remove(at);
        return "remove " + describe(node) + " from " + parent.type;
      }
      case 2 -> {
        int other = r.nextInt(parent.children.size());
        parent.children.set(at, parent.children.get(other));
        parent.children.set(other, node);
        return "swap fields " + at + " and " + other + " of " + parent.type;
      }
      case 3 -> {
        List<Node[]> donor = WireTree.nodesWithParents(pick(b.trees(), r));
        Node[] graft = pick(donor, r);
        List<Node> targets = new ArrayList<>();
        if (graft[0].type == root.type) {
          targets.add(root);
        }
        for (Node[] x : nodes) {
          if (x[1].type == graft[0].type) {
            targets.add(x[1]);
          }
        }
        if (targets.isEmpty()) {
          return "graft: no place for a field of " + graft[0].type;
        }
        Node target = pick(targets, r);
        target.children.add(r.nextInt(target.children.size() + 1), graft[1].copy());
        return "graft " + describe(graft[1]) + " into " + target.type;
      }
      case 4 -> {
        Node leaf = unknownField(r, 0);
        leaf.number = node.number;
        parent.children.set(at, leaf);
        return "retype " + describe(node) + " as wire type " + leaf.wireType;
      }
      case 5 -> {
        Node target = r.nextBoolean() ? root : node.isMessage() ? node : parent;
        Node u = unknownField(r, 0);
        target.children.add(r.nextInt(target.children.size() + 1), u);
        return "unknown field " + describe(u) + " into " + target.type;
      }
      case 6 -> {
        return editLeaf(pickLeaf(nodes, node, r), r);
      }
      case 7 -> {
        return splitPacked(nodes, r);
      }
      case 8 -> {
        if (r.nextBoolean()) {
          node.tagPadding = 1 + r.nextInt(r.nextInt(4) == 0 ? 9 : 4);
          return "tag of " + describe(node) + " padded by " + node.tagPadding;
        }
        node.lengthPadding = 1 + r.nextInt(r.nextInt(4) == 0 ? 9 : 4);
        return "length of " + describe(node) + " padded by " + node.lengthPadding;
      }
      case 9 -> {
        if (node.wireType != 2) {
          return "length change: not length-delimited";
        }
        node.lengthDelta = r.nextInt(5) == 0 ? r.nextInt() : r.nextInt(-4, 5);
        return "length of " + describe(node) + " off by " + node.lengthDelta;
      }
      default -> {
        for (Node[] x : nodes) {
          if ((x[1].type == Type.FEATURES_ENTRY || x[1].type == Type.FEATURE_LISTS_ENTRY) && r.nextInt(3) == 0) {
            for (Node k : x[1].children) {
              if (k.number == 1 && k.wireType == 2 && !k.isMessage()) {
                String key = KEYS[r.nextInt(KEYS.length)];
                k.value = key.getBytes(StandardCharsets.UTF_8);
                return "rename a key to '" + key + "'";
              }
            }
          }
        }
        return "rename: no key";
      }
    }
  }

  private static String describe(Node n) {
    return "field " + n.number + "/" + n.wireType + (n.isMessage() ? " " + n.type : "");
  }

  private static Node pickLeaf(List<Node[]> nodes, Node preferred, SplittableRandom r) {
    if (!preferred.isMessage()) {
      return preferred;
    }
    List<Node> leaves = new ArrayList<>();
    for (Node[] x : nodes) {
      if (!x[1].isMessage()) {
        leaves.add(x[1]);
      }
    }
    return leaves.isEmpty() ? null : pick(leaves, r);
  }

  private static String editLeaf(Node leaf, SplittableRandom r) {
    if (leaf == null || leaf.wireType != 2) {
      return "edit: no length-delimited leaf";
    }
    byte[] v = leaf.value;
    switch (r.nextInt(4)) {
      case 0 -> {
        int cut = Math.min(v.length, 1 + r.nextInt(3));
        leaf.value = java.util.Arrays.copyOf(v, v.length - cut);
        return "leaf " + describe(leaf) + " cut by " + cut;
      }
      case 1 -> {
        byte[] extra = new byte[1 + r.nextInt(3)];
        r.nextBytes(extra);
        leaf.value = TfProtos.concat(v, extra);
        return "leaf " + describe(leaf) + " grown by " + extra.length;
      }
      case 2 -> {
        byte[][] bad = {{(byte) 0xc0, (byte) 0x80}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xff},
            {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xe2, (byte) 0x82}, {(byte) 0xc3, (byte) 0xa9}};
        byte[] b = bad[r.nextInt(bad.length)];
        int pos = r.nextInt(v.length + 1);
        leaf.value = TfProtos.concat(java.util.Arrays.copyOf(v, pos), b, java.util.Arrays.copyOfRange(v, pos, v.length));
        return "leaf " + describe(leaf) + " gets bytes " + HexFormat.of().formatHex(b);
      }
      default -> {
        if (v.length > 0) {
          int i = r.nextInt(v.length);
          v[i] = INTERESTING[r.nextInt(INTERESTING.length)];
        }
        return "leaf " + describe(leaf) + " byte changed";
      }
    }
  }

  /** Splits a packed float or int64 list into packed and unpacked pieces: the same values, encoded otherwise. */
  private static String splitPacked(List<Node[]> nodes, SplittableRandom r) {
    List<Node[]> packed = new ArrayList<>();
    for (Node[] x : nodes) {
      if ((x[0].type == Type.FLOAT_LIST || x[0].type == Type.INT64_LIST) && x[1].number == 1 && x[1].wireType == 2) {
        packed.add(x);
      }
    }
    if (packed.isEmpty()) {
      return "split: no packed list";
    }
    Node[] x = pick(packed, r);
    Node list = x[0];
    int at = list.children.indexOf(x[1]);
    byte[] v = x[1].value;
    List<byte[]> values = new ArrayList<>();
    if (list.type == Type.FLOAT_LIST) {
      for (int i = 0; i + 4 <= v.length; i += 4) {
        values.add(java.util.Arrays.copyOfRange(v, i, i + 4));
      }
    } else {
      int start = 0;
      for (int i = 0; i < v.length; i++) {
        if (v[i] >= 0) {
          values.add(java.util.Arrays.copyOfRange(v, start, i + 1));
          start = i + 1;
        }
      }
    }
    List<Node> pieces = new ArrayList<>();
    int i = 0;
    while (i < values.size()) {
      int n = 1 + r.nextInt(Math.max(1, values.size() - i));
      Node piece = new Node();
      piece.number = 1;
      piece.type = Type.LEAF;
      if (r.nextBoolean()) {
        piece.wireType = 2;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int k = i; k < i + n; k++) {
          bytes.writeBytes(values.get(k));
        }
        piece.value = bytes.toByteArray();
        pieces.add(piece);
      } else {
        n = 1;
        piece.wireType = list.type == Type.FLOAT_LIST ? 5 : 0;
        piece.value = values.get(i);
        pieces.add(piece);
      }
      i += n;
    }
    list.children.remove(at);
    list.children.addAll(at, pieces);
    return "split a packed " + list.type + " of " + values.size() + " values into " + pieces.size() + " pieces";
  }

  /** A well-formed field of a random number and wire type; groups nest, sometimes to about protobuf's limit. */
  private static Node unknownField(SplittableRandom r, int depth) {
    Node n = new Node();
    n.type = Type.LEAF;
    n.number = r.nextInt(4) == 0 ? 1 + r.nextInt((1 << 29) - 1) : 1 + r.nextInt(20);
    int[] wireTypes = depth > 3 ? new int[] {0, 1, 2, 5} : new int[] {0, 1, 2, 3, 5};
    n.wireType = wireTypes[r.nextInt(wireTypes.length)];
    switch (n.wireType) {
      case 0 -> {
        long v = r.nextInt(3) == 0 ? r.nextLong() : r.nextInt(300);
        n.value = WireTree.varint(v);
      }
      case 1 -> n.value = randomBytes(r, 8);
      case 5 -> n.value = randomBytes(r, 4);
      case 2 -> n.value = randomBytes(r, r.nextInt(7));
      default -> {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (depth == 0 && r.nextInt(20) == 0) {
          // a chain of groups to about protobuf's recursion limit of 100
          int levels = 90 + r.nextInt(16);
          for (int k = 0; k < levels; k++) {
            WireTree.writeVarint(body, ((long) n.number << 3) | 3, 0);
          }
          for (int k = 0; k < levels; k++) {
            WireTree.writeVarint(body, ((long) n.number << 3) | 4, 0);
          }
        } else {
          int fields = r.nextInt(3);
          for (int k = 0; k < fields; k++) {
            Node inner = unknownField(r, depth + 1);
            Node holder = new Node();
            holder.type = Type.EXAMPLE; // any message type: only its children are written
            holder.children.add(inner);
            body.writeBytes(WireTree.write(holder));
          }
        }
        WireTree.writeVarint(body, ((long) n.number << 3) | 4, 0);
        n.value = body.toByteArray();
      }
    }
    return n;
  }

  private static byte[] randomBytes(SplittableRandom r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  private static byte[] mutateBytes(byte[] p, Bases b, SplittableRandom r, List<String> trail) {
    int n = p.length;
    switch (r.nextInt(8)) {
      case 0 -> {
        byte[] q = p.clone();
        int flips = 1 + r.nextInt(4);
        for (int i = 0; i < flips && n > 0; i++) {
          q[r.nextInt(n)] ^= (byte) (1 << r.nextInt(8));
        }
        trail.add(flips + " bits flipped");
        return q;
      }
      case 1 -> {
        byte[] q = p.clone();
        if (n > 0) {
          int at = r.nextInt(n);
          q[at] = r.nextBoolean() ? INTERESTING[r.nextInt(INTERESTING.length)] : (byte) r.nextInt(256);
          trail.add("byte " + at + " set to " + (q[at] & 0xff));
        } else {
          trail.add("set a byte of nothing");
        }
        return q;
      }
      case 2 -> {
        int at = r.nextInt(n + 1);
        byte[] ins = randomBytes(r, 1 + r.nextInt(4));
        if (r.nextBoolean()) {
          ins[0] = INTERESTING[r.nextInt(INTERESTING.length)];
        }
        trail.add(ins.length + " bytes inserted at " + at);
        return TfProtos.concat(java.util.Arrays.copyOf(p, at), ins, java.util.Arrays.copyOfRange(p, at, n));
      }
      case 3 -> {
        if (n == 0) {
          trail.add("delete from nothing");
          return p;
        }
        int at = r.nextInt(n);
        int len = Math.min(n - at, 1 + r.nextInt(8));
        trail.add(len + " bytes deleted at " + at);
        return TfProtos.concat(java.util.Arrays.copyOf(p, at), java.util.Arrays.copyOfRange(p, at + len, n));
      }
      case 4 -> {
        int at = r.nextInt(n + 1);
        trail.add("cut at " + at);
        return java.util.Arrays.copyOf(p, at);
      }
      case 5 -> {
        byte[] junk = switch (r.nextInt(3)) {
          case 0 -> randomBytes(r, 1 + r.nextInt(8));
          case 1 -> {
            Node holder = new Node();
            holder.type = Type.EXAMPLE;
            holder.children.add(unknownField(r, 0));
            yield WireTree.write(holder);
          }
          default -> new byte[] {INTERESTING[r.nextInt(INTERESTING.length)]};
        };
        trail.add("junk appended: " + HexFormat.of().formatHex(junk, 0, Math.min(junk.length, 16)));
        return TfProtos.concat(p, junk);
      }
      case 6 -> {
        int other = r.nextInt(b.payloads().size());
        boolean after = r.nextBoolean();
        trail.add("concatenated with base " + other + (after ? " after" : " before"));
        byte[] o = b.payloads().get(other);
        return after ? TfProtos.concat(p, o) : TfProtos.concat(o, p);
      }
      default -> {
        if (n == 0) {
          trail.add("copy from nothing");
          return p;
        }
        int from = r.nextInt(n);
        int len = Math.min(n - from, 1 + r.nextInt(32));
        int at = r.nextInt(n + 1);
        trail.add(len + " bytes from " + from + " copied to " + at);
        return TfProtos.concat(java.util.Arrays.copyOf(p, at), java.util.Arrays.copyOfRange(p, from, from + len),
            java.util.Arrays.copyOfRange(p, at, n));
      }
    }
  }

  // ---- checking ----

  /** What the fuzzer saw: verdicts by kind, and the disagreements; each case's outcome for the probe table's row. */
  private static final class Tally {
    final Map<String, Integer> verdicts = new TreeMap<>();
    final List<String> failures = new ArrayList<>();
    final ProbeTally row = new ProbeTally("records (Example, SequenceExample)", Duration.ofNanos(MAX_NANOS_PER_INPUT),
        SEED);
    int failureCount;
    long maxNanos;
    int cases;
    /** The worst outcome of the current case's decodes, and what went wrong. */
    ProbeTally.Outcome outcome;
    String detail;
    long caseNanos;

    void fail(String what) {
      failureCount++;
      if (failures.size() < 15) {
        failures.add(what);
      }
    }

    void outcome(ProbeTally.Outcome o, String why) {
      if (outcome == null || o.compareTo(outcome) > 0) {
        outcome = o;
        detail = why;
      }
    }
  }

  private static String outcome(Verdict v) {
    return v.refused() ? v.problem().name() : "decoded";
  }

  /** Checks one decode of {@code payload} against the oracle; returns the oracle's verdict. */
  private static Verdict check(RecordCodec codec, FeatureSpec spec, LabelPolicy policy, byte[] payload,
      boolean labelsOnly, SplittableRandom r, Tally tally, String context) {
    Verdict expected = ProtobufOracle.verdict(spec, policy, payload, labelsOnly);
    tally.verdicts.merge((labelsOnly ? "labels " : "full ") + outcome(expected), 1, Integer::sum);
    // decode from a buffer of the record's size, or a larger one with stray bytes after the record as
    // readers pass theirs
    byte[] buffer = java.util.Arrays.copyOf(payload, payload.length + (r.nextBoolean() ? 0 : r.nextInt(1, 24)));
    for (int i = payload.length; i < buffer.length; i++) {
      buffer[i] = INTERESTING[r.nextInt(INTERESTING.length)];
    }
    long t0 = System.nanoTime();
    String got;
    VideoRecord record = null;
    RecordProblem problem = null;
    try {
      record = labelsOnly ? codec.decodeLabels(buffer, payload.length) : codec.decode(buffer, payload.length);
      got = String.valueOf(record);
    } catch (InvalidRecordException e) {
      problem = e.problem();
      got = problem + " (" + e.getMessage() + ")";
    } catch (RuntimeException | StackOverflowError e) {
      got = "unexpected " + e;
    }
    long nanos = System.nanoTime() - t0;
    tally.maxNanos = Math.max(tally.maxNanos, nanos);
    tally.caseNanos += nanos;
    boolean agree = expected.refused() ? expected.problem() == problem : expected.record().equals(record);
    String failure = null;
    if (!agree || nanos > MAX_NANOS_PER_INPUT) {
      failure = context + (labelsOnly ? " [labels only]" : "") + ": protobuf says " + expected + ", the codec "
          + got + (agree ? " but took " + nanos / 1_000_000 + " ms" : "") + "\n      payload "
          + HexFormat.of().formatHex(payload, 0, Math.min(payload.length, 400));
      tally.fail(failure);
    }
    // for the probe table: an exception that is not the named one is a crash; a record (or a problem)
    // protobuf does not give, a wrong result
    tally.outcome(got.startsWith("unexpected") ? ProbeTally.Outcome.CRASH : !agree ? ProbeTally.Outcome.SILENT_WRONG
        : nanos > MAX_NANOS_PER_INPUT ? ProbeTally.Outcome.HANG
        : expected.refused() ? ProbeTally.Outcome.NAMED_ERROR : ProbeTally.Outcome.ACCEPTED, failure);
    return expected;
  }

  /** inspect's layout of the record parses it as the codec does: MALFORMED exactly where protobuf refuses it. */
  private static void checkLayout(FeatureSpec spec, byte[] payload, boolean malformed, Tally tally, String context) {
    String got;
    try {
      RecordLayout.of(payload, payload.length, spec.level());
      got = malformed ? "a layout" : null;
    } catch (InvalidRecordException e) {
      got = malformed && e.problem() == RecordProblem.MALFORMED ? null : e.problem() + " (" + e.getMessage() + ")";
    } catch (RuntimeException | StackOverflowError e) {
      got = "unexpected " + e;
    }
    try {
      RecordLayout.of(payload, payload.length); // the level told from the record: no verdict to match, but named errors only
    } catch (InvalidRecordException e) {
      // named
    } catch (RuntimeException | StackOverflowError e) {
      got = "unexpected " + e + " telling the level";
    }
    if (got != null) {
      String failure = context + " [layout]: protobuf " + (malformed ? "refuses" : "accepts") + " the bytes, RecordLayout "
          + "gives " + got + "\n      payload " + HexFormat.of().formatHex(payload, 0, Math.min(payload.length, 400));
      tally.fail(failure);
      tally.outcome(got.startsWith("unexpected") ? ProbeTally.Outcome.CRASH : ProbeTally.Outcome.SILENT_WRONG, failure);
    }
  }

  /** Runs {@code cases} cases against {@code bases}; the codec of each policy is reused across cases. */
  private static void fuzz(Bases b, int cases, SplittableRandom r, Tally tally) {
    RecordCodec required = RecordCodec.forSpec(b.spec(), LabelPolicy.REQUIRED);
    RecordCodec optional = RecordCodec.forSpec(b.spec(), LabelPolicy.OPTIONAL);
    for (int c = 0; c < cases; c++) {
      int base = r.nextInt(b.payloads().size());
      List<String> trail = new ArrayList<>();
      byte[] payload = mutate(b, base, r, trail);
      boolean opt = c % 4 == 3;
      String context = b.spec().level() + " " + b.spec().features() + " case " + c + " from base " + base + ": " + trail;
      Verdict v = check(opt ? optional : required, b.spec(), opt ? LabelPolicy.OPTIONAL : LabelPolicy.REQUIRED,
          payload, false, r, tally, context);
      check(opt ? optional : required, b.spec(), opt ? LabelPolicy.OPTIONAL : LabelPolicy.REQUIRED, payload, true,
          r, tally, context);
      checkLayout(b.spec(), payload, v.problem() == RecordProblem.MALFORMED, tally, context);
      tally.cases++;
      tally.row.count(context, new ProbeTally.Verdict(tally.outcome, tally.detail), tally.caseNanos);
      tally.outcome = null;
      tally.caseNanos = 0;
    }
  }

  @Test
  void mutatedRecordsDecodeAsProtobufParsesThemOrAreRefusedByName() {
    SplittableRandom r = new SplittableRandom(SEED);
    Bases smallVideo = bases(SMALL_VIDEO, 12, r);
    Bases smallFrame = bases(SMALL_FRAME, 12, r);
    Bases yt8m = bases(YT8M_VIDEO, 3, r);
    Tally tally = new Tally();
    long t0 = System.nanoTime();
    assertTimeoutPreemptively(Duration.ofSeconds(120 + CASES / 100), () -> {
      fuzz(smallVideo, CASES * 9 / 20, r, tally);
      fuzz(smallFrame, CASES * 9 / 20, r, tally);
      fuzz(yt8m, CASES - 2 * (CASES * 9 / 20), r, tally);
    });
    System.out.printf("record decoder fuzz: %d cases (seed %d) in %.1f s, slowest input %.2f ms; protobuf's verdicts %s%n",
        tally.cases, SEED, (System.nanoTime() - t0) / 1e9, tally.maxNanos / 1e6, tally.verdicts);
    assertEquals(CASES, tally.cases);
    tally.row.assertClean();
    assertTrue(tally.failureCount == 0, tally.failureCount + " disagreements with protobuf, the first:\n  "
        + String.join("\n  ", tally.failures));
    // the mutations reach each verdict, so the agreement above means something
    for (String kind : Set.of("full MALFORMED", "full decoded", "labels decoded", "full WRONG_LENGTH", "full MISSING_KEY")) {
      assertTrue(tally.verdicts.getOrDefault(kind, 0) > 0, kind + " never seen: " + tally.verdicts);
    }
  }

  // ---- TFRecord framing ----

  /**
   * Files of good records with their framing damaged (length, length CRC, payload CRC bytes changed,
   * sometimes with the length CRC made to match again; bytes inserted, deleted or cut anywhere): a
   * reader under FAIL stops with a {@link BadRecordException} or reads on, under SKIP it always ends,
   * and every record either returns is one of the originals. Nothing else comes out.
   */
  @Test
  void damagedFramingGivesOnlyNamedErrors() throws IOException {
    SplittableRandom r = new SplittableRandom(SEED + 1);
    byte[][] payloads = new byte[4][];
    List<VideoRecord> originals = new ArrayList<>();
    ExampleCodec codec = new ExampleCodec(SMALL_VIDEO);
    for (int i = 0; i < payloads.length; i++) {
      VideoRecord v = randomVideo(SMALL_VIDEO, i, r);
      payloads[i] = codec.encode(v);
      originals.add(v);
    }
    Path good = Fixtures.writeTfRecord(dir.resolve("good.tfrecord"), payloads);
    byte[] file = Files.readAllBytes(good);
    int cases = Math.max(200, CASES / 25);
    Map<RecordProblem, Integer> seen = new EnumMap<>(RecordProblem.class);
    for (int c = 0; c < cases; c++) {
      byte[] bad = damageFraming(file, payloads, r);
      Path f = Files.write(dir.resolve("case.tfrecord"), bad);
      List<InputFile> files = DataPaths.resolve(List.of(f.toString()));
      String context = "framing case " + c + ": " + HexFormat.of().formatHex(bad, 0, Math.min(bad.length, 64));
      for (BadRecordPolicy policy : BadRecordPolicy.values()) {
        try (VideoReader reader = new VideoReader(files, SMALL_VIDEO, policy)) {
          int n = 0;
          for (VideoRecord v = reader.next(); v != null; v = reader.next()) {
            assertTrue(originals.contains(v), context + ": a record that was never written: " + v);
            assertTrue(++n <= payloads.length + 1, context);
          }
          reader.skipped().counts().forEach((p, k) -> seen.merge(p, k.intValue(), Integer::sum));
        } catch (BadRecordException e) {
          assertEquals(BadRecordPolicy.FAIL, policy, context + ": " + e);
          seen.merge(e.problem(), 1, Integer::sum);
        } catch (IOException | RuntimeException e) {
          throw new AssertionError(context + ": not a named bad record: " + e, e);
        }
      }
    }
    System.out.println("framing fuzz: " + cases + " damaged files; problems " + seen);
    for (RecordProblem p : List.of(RecordProblem.CORRUPT_LENGTH, RecordProblem.CORRUPT_DATA, RecordProblem.TRUNCATED)) {
      assertTrue(seen.getOrDefault(p, 0) > 0, p + " never seen: " + seen);
    }
  }

  private static byte[] damageFraming(byte[] file, byte[][] payloads, SplittableRandom r) {
    byte[] b = file.clone();
    int record = r.nextInt(payloads.length);
    int off = (int) Fixtures.offsetOf(payloads, record);
    int len = payloads[record].length;
    switch (r.nextInt(6)) {
      case 0 -> b[off + r.nextInt(8)] ^= (byte) (1 << r.nextInt(8)); // the length
      case 1 -> b[off + 8 + r.nextInt(4)] ^= (byte) (1 << r.nextInt(8)); // the length's CRC
      case 2 -> b[off + 12 + len + r.nextInt(4)] ^= (byte) (1 << r.nextInt(8)); // the payload's CRC
      case 3 -> {
        // another length whose CRC matches: only the payload CRC (or the file's end) can tell
        long newLength = switch (r.nextInt(3)) {
          case 0 -> len + r.nextInt(-8, 9);
          case 1 -> r.nextLong(0, TfRecordReader.MAX_RECORD_BYTES + 1);
          default -> r.nextLong();
        };
        LittleEndian.putLong(b, off, newLength);
        LittleEndian.putInt(b, off + 8, MaskedCrc32c.of(b, off, 8));
      }
      case 4 -> {
        int at = r.nextInt(b.length + 1);
        byte[] ins = randomBytes(r, 1 + r.nextInt(12));
        return TfProtos.concat(java.util.Arrays.copyOf(b, at), ins, java.util.Arrays.copyOfRange(b, at, b.length));
      }
      default -> {
        if (r.nextBoolean()) {
          return java.util.Arrays.copyOf(b, r.nextInt(b.length));
        }
        int at = r.nextInt(b.length);
        int n = Math.min(b.length - at, 1 + r.nextInt(12));
        return TfProtos.concat(java.util.Arrays.copyOf(b, at), java.util.Arrays.copyOfRange(b, at + n, b.length));
      }
    }
    return b;
  }
}
