package org.vidar.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The one reader of {@code tf.train.Example} and {@code SequenceExample} payloads (message layout in
 * {@link ProtoWire}): it parses the whole message as protobuf's own parser does, without building
 * message objects, and notes where the values of wanted keys lie so that they are copied straight
 * from the record buffer.
 *
 * <p>Strictness is protobuf's: every byte must belong to a well-formed field, unknown fields
 * included. A varint or length that runs past its message, a varint of more than ten bytes, field
 * number 0, wire type 6 or 7, an end-group tag that closes no group (or a group left open), groups
 * nested past protobuf's recursion limit, a map key that is not UTF-8 and a packed float list that is
 * not whole floats are {@link RecordProblem#MALFORMED}. A known field with another wire type than its
 * own is an unknown field, as in protobuf.
 *
 * <p>Merging is protobuf's too: a message field that occurs twice merges (two {@code Example.features}
 * make one map), a map key that repeats keeps its last entry, a {@code Feature} is a oneof so a later
 * kind of list replaces the earlier ones while the same kind merges, and repeated values, packed or
 * not, concatenate. A record TensorFlow writes has each of these once: the parse then notes each
 * wanted value list as it passes (the packed floats of a key, the one bytes value of a frame) and
 * reading it is a copy; anything else is resolved by walking the entry again.
 *
 * <p>Instances keep scratch state: one per codec, and a codec per thread.
 */
final class ExampleParser {
  /** Roles of a {@code Features} / {@code FeatureLists} map: the context features, the frame lists. */
  static final int CONTEXT = 0;
  static final int LISTS = 1;

  /** protobuf-java's default recursion limit: messages and groups nested deeper are refused. */
  private static final int RECURSION_LIMIT = 100;

  private static final int VARINT = 0;
  private static final int FIXED64 = 1;
  private static final int LEN = 2;
  private static final int START_GROUP = 3;
  private static final int END_GROUP = 4;
  private static final int FIXED32 = 5;
  private static final int TAG1_LEN = ProtoWire.tag(1, LEN);
  private static final int TAG2_LEN = ProtoWire.tag(2, LEN);
  private static final int TAG3_LEN = ProtoWire.tag(3, LEN);
  private static final int TAG1_VARINT = ProtoWire.tag(1, VARINT);
  private static final int TAG1_FIXED32 = ProtoWire.tag(1, FIXED32);

  /**
   * Marks a frame noted by the parse as the slice of its one bytes value rather than of its Feature
   * (slices start below 2^31, so the sign bit is free).
   */
  private static final long SINGLE_VALUE = Long.MIN_VALUE;

  /** Receives every entry of the maps of a record, in order, for readers that want all keys. */
  @FunctionalInterface
  interface EntryVisitor {
    void entry(int role, String key, long entry);
  }

  private final byte[][][] wanted = new byte[2][][];
  /** Per role and wanted key: the slice of its last entry, or ABSENT. */
  private final long[][] found = new long[2][];
  /**
   * Per wanted context key: the slice of the values of its one list (packed floats, packed int64s,
   * the one bytes value) when the entry is as TensorFlow writes it, else ABSENT; and that list's kind.
   */
  private final long[] simpleValues;
  private final int[] simpleKinds;
  private EntryVisitor visitor;
  private boolean featureLists;

  private byte[] buf;
  private int pos;
  /** The message being parsed and the key of the map entry being parsed, for errors. */
  private String where;
  private int keyStart = -1;
  private int keyLength;

  /** What the last {@link #feature} and list parse saw: the kind and values slice of a lone list, or ABSENT. */
  private int featureKind;
  private long featureValues;
  private long listValues;

  /**
   * The frames of each wanted feature list, noted during the parse: of the key's last entry, as
   * Feature slices or, flagged {@link #SINGLE_VALUE}, the slice of a frame's one bytes value.
   * {@code entryFrames} collects those of the entry being parsed.
   */
  private final long[][] frames;
  private final int[] frameCounts;
  private long[] entryFrames = new long[64];
  private int entryFrameCount;

  /** The list messages of the feature last resolved, in order: all of its final kind. */
  private long[] lists = new long[4];
  private int listCount;

  /** A parser that notes the entries of {@code contextKeys} and {@code listKeys}. */
  ExampleParser(List<String> contextKeys, List<String> listKeys) {
    wanted[CONTEXT] = contextKeys.stream().map(ProtoWire::utf8).toArray(byte[][]::new);
    wanted[LISTS] = listKeys.stream().map(ProtoWire::utf8).toArray(byte[][]::new);
    found[CONTEXT] = new long[contextKeys.size()];
    found[LISTS] = new long[listKeys.size()];
    simpleValues = new long[contextKeys.size()];
    simpleKinds = new int[contextKeys.size()];
    frames = new long[listKeys.size()][64];
    frameCounts = new int[listKeys.size()];
  }

  // ---- parsing ----

  /** Parses {@code length} bytes of {@code payload} as an {@code Example}. */
  void parseExample(byte[] payload, int length) throws InvalidRecordException {
    parse(payload, length, false, null);
  }

  /** Parses {@code length} bytes of {@code payload} as a {@code SequenceExample}. */
  void parseSequenceExample(byte[] payload, int length) throws InvalidRecordException {
    parse(payload, length, true, null);
  }

  /**
   * Parses a payload and hands every map entry to {@code visitor} instead of matching wanted keys;
   * {@code sequence} parses a {@code SequenceExample}, else an {@code Example}.
   */
  void parse(byte[] payload, int length, boolean sequence, EntryVisitor visitor) throws InvalidRecordException {
    if (length < 0 || length > payload.length) {
      throw new IllegalArgumentException("length " + length + " outside a buffer of " + payload.length);
    }
    this.buf = payload;
    this.visitor = visitor;
    Arrays.fill(found[CONTEXT], ProtoWire.ABSENT);
    Arrays.fill(found[LISTS], ProtoWire.ABSENT);
    Arrays.fill(frameCounts, 0);
    featureLists = false;
    keyStart = -1;
    pos = 0;
    String name = sequence ? "SequenceExample" : "Example";
    where = name;
    try {
      while (pos < length) {
        int tag = readTag(length);
        if (tag == TAG1_LEN) {
          features(messageEnd(length), 1);
        } else if (tag == TAG2_LEN && sequence) {
          featureLists = true;
          featureLists(messageEnd(length), 1);
        } else {
          skipField(tag, length, 0);
          continue;
        }
        where = name;
      }
    } finally {
      this.visitor = null;
    }
  }

  /** The entry of wanted key {@code i} of map {@code role} in the record parsed last, or {@link ProtoWire#ABSENT}. */
  long entry(int role, int i) {
    return found[role][i];
  }

  /**
   * The frames of wanted feature list {@code i} in the record parsed last, for {@link #frameValue};
   * valid up to {@link #frameCount} and until the next parse.
   */
  long[] frames(int i) {
    return frames[i];
  }

  /** How many frames wanted feature list {@code i} has; 0 when the key is absent. */
  int frameCount(int i) {
    return frameCounts[i];
  }

  /** Whether the last record parsed as a SequenceExample had a {@code feature_lists} field. */
  boolean hadFeatureLists() {
    return featureLists;
  }

  private void features(int end, int depth) throws InvalidRecordException {
    where = "Features";
    while (pos < end) {
      int tag = readTag(end);
      if (tag == TAG1_LEN) {
        entry(messageEnd(end), depth + 1, CONTEXT);
        where = "Features";
      } else {
        skipField(tag, end, depth);
      }
    }
  }

  private void featureLists(int end, int depth) throws InvalidRecordException {
    where = "FeatureLists";
    while (pos < end) {
      int tag = readTag(end);
      if (tag == TAG1_LEN) {
        entry(messageEnd(end), depth + 1, LISTS);
        where = "FeatureLists";
      } else {
        skipField(tag, end, depth);
      }
    }
  }

  /** A map entry {1: string key, 2: Feature or FeatureList}; its key is checked as UTF-8. */
  private void entry(int end, int depth, int role) throws InvalidRecordException {
    String name = role == CONTEXT ? "Features entry" : "FeatureLists entry";
    where = name;
    int start = pos;
    keyStart = -1;
    entryFrameCount = 0;
    int ks = start;
    int kl = 0;
    int values = 0;
    long simple = ProtoWire.ABSENT;
    int kind = 0;
    while (pos < end) {
      int tag = readTag(end);
      if (tag == TAG1_LEN) {
        int len = readLength(end);
        if (!Utf8.isValid(buf, pos, pos + len)) {
          throw malformed(pos, "the map key is not valid UTF-8");
        }
        ks = keyStart = pos;
        kl = keyLength = len;
        pos += len;
      } else if (tag == TAG2_LEN) {
        int valueEnd = messageEnd(end);
        if (role == CONTEXT) {
          feature(valueEnd, depth + 1);
          simple = featureValues;
          kind = featureKind;
          values++;
        } else {
          featureList(valueEnd, depth + 1);
        }
        where = name;
      } else {
        skipField(tag, end, depth);
      }
    }
    keyStart = -1;
    long slice = ProtoWire.slice(start, end - start);
    if (visitor != null) {
      visitor.entry(role, new String(buf, ks, kl, StandardCharsets.UTF_8), slice);
      return;
    }
    byte[][] keys = wanted[role];
    for (int i = 0; i < keys.length; i++) {
      byte[] k = keys[i];
      if (k.length == kl && Arrays.equals(buf, ks, ks + kl, k, 0, kl)) {
        found[role][i] = slice;
        if (role == CONTEXT) {
          simpleValues[i] = values == 1 ? simple : ProtoWire.ABSENT;
          simpleKinds[i] = kind;
        } else {
          // keep this entry's frames: swap the buffers rather than copy (list keys are distinct)
          long[] kept = frames[i];
          frames[i] = entryFrames;
          frameCounts[i] = entryFrameCount;
          entryFrames = kept;
          entryFrameCount = 0;
        }
      }
    }
  }

  /** A FeatureList; its Features (frames) are noted for the entry being parsed. */
  private void featureList(int end, int depth) throws InvalidRecordException {
    where = "FeatureList";
    while (pos < end) {
      int tag = readTag(end);
      if (tag == TAG1_LEN) {
        int len = readLength(end);
        long frame = singleBytesValue(pos, pos + len);
        if (frame == ProtoWire.ABSENT) {
          frame = ProtoWire.slice(pos, len);
          feature(pos + len, depth + 1);
          where = "FeatureList";
          if (featureKind == ProtoWire.BYTES_LIST && featureValues != ProtoWire.ABSENT) {
            frame = featureValues | SINGLE_VALUE;
          }
        } else {
          pos += len;
        }
        entryFrames = put(entryFrames, entryFrameCount++, frame);
      } else {
        skipField(tag, end, depth);
      }
    }
  }

  /**
   * The slice of the one value, flagged {@link #SINGLE_VALUE}, when the Feature in {@code [from, to)}
   * is exactly a bytes_list holding one value, the shape of every frame TensorFlow writes; else
   * ABSENT, and {@link #feature} parses it. Both lengths must end where the Feature ends, so a
   * Feature of this shape is well-formed.
   */
  private long singleBytesValue(int from, int to) {
    if (to - from < 4 || buf[from] != TAG1_LEN) {
      return ProtoWire.ABSENT;
    }
    long list = shortVarint(from + 1, to);
    int at = (int) list;
    if (list < 0 || list >>> 32 != to - at || at == to || buf[at] != TAG1_LEN) {
      return ProtoWire.ABSENT;
    }
    long value = shortVarint(at + 1, to);
    at = (int) value;
    return value >= 0 && value >>> 32 == to - at ? ProtoWire.slice(at, to - at) | SINGLE_VALUE : ProtoWire.ABSENT;
  }

  /** The varint of at most three bytes at {@code p}, as {@code value << 32 | end}; -1 if longer or cut. */
  private long shortVarint(int p, int end) {
    int v = 0;
    for (int i = 0; i < 3 && p + i < end; i++) {
      byte b = buf[p + i];
      v |= (b & 0x7f) << (7 * i);
      if (b >= 0) {
        return (long) v << 32 | (p + i + 1);
      }
    }
    return -1;
  }

  /**
   * A Feature. Afterwards {@link #featureKind} is the kind of the list it holds last, and
   * {@link #featureValues} the slice of that list's values when it is the Feature's only list and
   * holds them in one field (see the list parsers), else ABSENT.
   */
  private void feature(int end, int depth) throws InvalidRecordException {
    where = "Feature";
    int kind = 0;
    int lists = 0;
    long values = ProtoWire.ABSENT;
    while (pos < end) {
      int tag = readTag(end);
      if (tag == TAG1_LEN) {
        bytesList(messageEnd(end), depth + 1);
      } else if (tag == TAG2_LEN) {
        floatList(messageEnd(end), depth + 1);
      } else if (tag == TAG3_LEN) {
        int64List(messageEnd(end), depth + 1);
      } else {
        skipField(tag, end, depth);
        continue;
      }
      kind = tag >>> 3;
      lists++;
      values = listValues;
      where = "Feature";
    }
    featureKind = kind;
    featureValues = lists == 1 ? values : ProtoWire.ABSENT;
  }

  /** A BytesList; {@link #listValues} is the slice of its value when it holds exactly one. */
  private void bytesList(int end, int depth) throws InvalidRecordException {
    where = "BytesList";
    int n = 0;
    long value = ProtoWire.ABSENT;
    while (pos < end) {
      int tag = readTag(end);
      if (tag == TAG1_LEN) {
        int len = readLength(end);
        value = ProtoWire.slice(pos, len);
        n++;
        pos += len;
      } else {
        skipField(tag, end, depth);
      }
    }
    listValues = n == 1 ? value : ProtoWire.ABSENT;
  }

  /** A FloatList; {@link #listValues} is the slice of its floats when one packed field holds them all. */
  private void floatList(int end, int depth) throws InvalidRecordException {
    where = "FloatList";
    int n = 0;
    long packed = ProtoWire.ABSENT;
    while (pos < end) {
      int tag = readTag(end);
      if (tag == TAG1_LEN) {
        int at = pos;
        int len = readLength(end);
        if ((len & 3) != 0) {
          throw malformed(at, "a packed float list of " + len + " bytes is not whole floats");
        }
        packed = ProtoWire.slice(pos, len);
        n++;
        pos += len;
      } else if (tag == TAG1_FIXED32) {
        skipRaw(4, end);
        n++;
      } else {
        skipField(tag, end, depth);
      }
    }
    listValues = n == 1 ? packed : ProtoWire.ABSENT;
  }

  /** An Int64List; {@link #listValues} is the slice of its varints when one packed field holds them all. */
  private void int64List(int end, int depth) throws InvalidRecordException {
    where = "Int64List";
    int n = 0;
    long packed = ProtoWire.ABSENT;
    while (pos < end) {
      int tag = readTag(end);
      if (tag == TAG1_LEN) {
        int packedEnd = messageEnd(end);
        packed = ProtoWire.slice(pos, packedEnd - pos);
        while (pos < packedEnd) {
          readVarint64(packedEnd);
        }
        n++;
      } else if (tag == TAG1_VARINT) {
        readVarint64(end);
        n++;
      } else {
        skipField(tag, end, depth);
      }
    }
    listValues = n == 1 ? packed : ProtoWire.ABSENT;
  }

  // ---- the wire format, as protobuf-java's CodedInputStream reads it ----

  /** A tag; the caller has checked that bytes are left before {@code end}. */
  private int readTag(int end) throws InvalidRecordException {
    int at = pos;
    int tag = readVarint32(end);
    if (tag >>> 3 == 0) {
      throw malformed(at, "field number 0 (tag " + Integer.toUnsignedString(tag) + ")");
    }
    return tag;
  }

  /** A varint of up to ten bytes of which the low 32 bits are kept, as protobuf reads tags and lengths. */
  private int readVarint32(int end) throws InvalidRecordException {
    int p = pos;
    if (p < end) {
      byte b = buf[p];
      if (b >= 0) {
        pos = p + 1;
        return b;
      }
      if (p + 1 < end && buf[p + 1] >= 0) {
        pos = p + 2;
        return (b & 0x7f) | buf[p + 1] << 7;
      }
    }
    return (int) readVarint64(end);
  }

  private long readVarint64(int end) throws InvalidRecordException {
    int at = pos;
    int p = pos;
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p >= end) {
        throw malformed(at, "a varint runs past the end of the message");
      }
      byte b = buf[p++];
      result |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        pos = p;
        return result;
      }
    }
    throw malformed(at, "a varint is longer than ten bytes");
  }

  /** A length that must fit in what is left of the message. */
  private int readLength(int end) throws InvalidRecordException {
    int at = pos;
    int len = readVarint32(end);
    if (len < 0 || len > end - pos) {
      throw badLength(at, len, end);
    }
    return len;
  }

  private InvalidRecordException badLength(int at, int len, int end) {
    return len < 0 ? malformed(at, "negative length " + len)
        : malformed(at, "a length of " + len + " bytes runs past the end of the message (" + (end - pos)
            + " bytes left)");
  }

  /** Reads a length and returns where the message it announces ends. */
  private int messageEnd(int end) throws InvalidRecordException {
    int len = readLength(end);
    return pos + len;
  }

  private void skipRaw(int n, int end) throws InvalidRecordException {
    if (end - pos < n) {
      throw malformed(pos, "a " + 8 * n + "-bit field runs past the end of the message");
    }
    pos += n;
  }

  /** Skips an unknown field after its tag, checking that it is well-formed as protobuf does. */
  private void skipField(int tag, int end, int depth) throws InvalidRecordException {
    switch (tag & 7) {
      case VARINT -> readVarint64(end);
      case FIXED64 -> skipRaw(8, end);
      case LEN -> {
        int len = readLength(end); // not pos += readLength(..), which adds to pos as it was before
        pos += len;
      }
      case START_GROUP -> skipGroup(tag >>> 3, end, depth);
      case FIXED32 -> skipRaw(4, end);
      case END_GROUP -> throw malformed(pos, "an end-group tag (field " + (tag >>> 3) + ") closes no group");
      default -> throw malformed(pos, "invalid wire type " + (tag & 7) + " (field " + (tag >>> 3) + ")");
    }
  }

  /** An unknown group at recursion depth {@code depth}: fields up to the end-group tag of its field. */
  private void skipGroup(int field, int end, int depth) throws InvalidRecordException {
    if (depth >= RECURSION_LIMIT) {
      throw malformed(pos, "groups nested past protobuf's limit of " + RECURSION_LIMIT + " levels");
    }
    while (pos < end) {
      int at = pos;
      int tag = readTag(end);
      if ((tag & 7) == END_GROUP) {
        if (tag >>> 3 != field) {
          throw malformed(at, "an end-group tag of field " + (tag >>> 3) + " closes the group of field " + field);
        }
        return;
      }
      skipField(tag, end, depth + 1);
    }
    throw malformed(pos, "the group of field " + field + " is not closed");
  }

  private InvalidRecordException malformed(int at, String what) {
    String key = keyStart < 0 ? "" : " (key " + Excerpt.of(new String(buf, keyStart, keyLength, StandardCharsets.UTF_8)) + ")";
    return new InvalidRecordException(RecordProblem.MALFORMED,
        "malformed protocol buffer at byte " + at + " in " + where + key + ": " + what);
  }

  private static IllegalStateException unreachable(InvalidRecordException e) {
    return new IllegalStateException("bytes checked by the parse are malformed: " + e.getMessage(), e);
  }

  // ---- values of wanted context keys ----

  private static void requireKind(int kind, int expected, String key) throws InvalidRecordException {
    if (kind != 0 && kind != expected) {
      throw new InvalidRecordException(RecordProblem.WRONG_TYPE, "key " + Excerpt.of(key) + " holds a "
          + ProtoWire.kindName(kind) + ", expected a " + ProtoWire.kindName(expected));
    }
  }

  /**
   * Copies the float values of wanted context key {@code slot} (present) into {@code dst[dstOff ..]};
   * they must be exactly {@code expected} finite values.
   */
  void readFloats(int slot, float[] dst, int dstOff, int expected, String key) throws InvalidRecordException {
    long simple = simpleValues[slot];
    int n;
    if (simple != ProtoWire.ABSENT) {
      requireKind(simpleKinds[slot], ProtoWire.FLOAT_LIST, key);
      n = ProtoWire.length(simple) >>> 2;
      if (n != expected) {
        throw wrongLength(key, n, expected);
      }
      copyFloats(ProtoWire.start(simple), dst, dstOff, n);
    } else {
      n = readFloatsOf(found[CONTEXT][slot], dst, dstOff, expected, key);
    }
    // The largest magnitude is NaN or infinite exactly when a value is: a loop without an exit, which
    // the JIT vectorizes (a test per value with an early exit costs most of a video-level decode).
    float largest = 0f;
    for (int i = dstOff, end = dstOff + n; i < end; i++) {
      largest = Math.max(largest, Math.abs(dst[i]));
    }
    if (!(largest <= Float.MAX_VALUE)) {
      for (int i = dstOff, end = dstOff + n; i < end; i++) {
        if (!Float.isFinite(dst[i])) {
          throw new InvalidRecordException(RecordProblem.NON_FINITE,
              "key " + Excerpt.of(key) + " value " + (i - dstOff) + " is " + dst[i]);
        }
      }
    }
  }

  private void copyFloats(int from, float[] dst, int dstOff, int count) {
    ByteBuffer.wrap(buf, from, 4 * count).slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
        .get(dst, dstOff, count);
  }

  /** The general case of {@link #readFloats(int, float[], int, int, String)}: any encoding, any merge. */
  private int readFloatsOf(long entry, float[] dst, int dstOff, int expected, String key) throws InvalidRecordException {
    int kind = resolve(entry, false);
    requireKind(kind, ProtoWire.FLOAT_LIST, key);
    int n = 0;
    for (int l = 0; l < listCount && kind != 0; l++) {
      int end = ProtoWire.start(lists[l]) + ProtoWire.length(lists[l]);
      pos = ProtoWire.start(lists[l]);
      while (pos < end) {
        int tag = nextTag(end);
        if (tag == TAG1_LEN) {
          int len = lengthOf(end);
          int count = len >>> 2;
          if (n + count > expected) {
            throw wrongLength(key, n + count, expected);
          }
          copyFloats(pos, dst, dstOff + n, count);
          n += count;
          pos += len;
        } else if (tag == TAG1_FIXED32) {
          if (n == expected) {
            throw wrongLength(key, n + 1, expected);
          }
          dst[dstOff + n++] = Float.intBitsToFloat(LittleEndian.getInt(buf, pos));
          pos += 4;
        } else {
          skip(tag, end);
        }
      }
    }
    if (n != expected) {
      throw wrongLength(key, n, expected);
    }
    return n;
  }

  private static InvalidRecordException wrongLength(String key, int got, int expected) {
    return new InvalidRecordException(RecordProblem.WRONG_LENGTH,
        "key " + Excerpt.of(key) + " has " + (got > expected ? "more than " + expected : got)
            + " values, expected " + expected);
  }

  /** The int64 values of wanted context key {@code slot} (present). */
  long[] readInt64s(int slot, String key) throws InvalidRecordException {
    long simple = simpleValues[slot];
    if (simple == ProtoWire.ABSENT) {
      return readInt64sOf(found[CONTEXT][slot], key);
    }
    requireKind(simpleKinds[slot], ProtoWire.INT64_LIST, key);
    long[] out = new long[Math.min(8, ProtoWire.length(simple))];
    int n = 0;
    int end = ProtoWire.start(simple) + ProtoWire.length(simple);
    pos = ProtoWire.start(simple);
    try {
      while (pos < end) {
        out = put(out, n++, readVarint64(end));
      }
    } catch (InvalidRecordException e) {
      throw unreachable(e);
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  /** The general case of {@link #readInt64s(int, String)}. */
  private long[] readInt64sOf(long entry, String key) throws InvalidRecordException {
    int kind = resolve(entry, false);
    requireKind(kind, ProtoWire.INT64_LIST, key);
    long[] out = new long[8];
    int n = 0;
    try {
      for (int l = 0; l < listCount && kind != 0; l++) {
        int end = ProtoWire.start(lists[l]) + ProtoWire.length(lists[l]);
        pos = ProtoWire.start(lists[l]);
        while (pos < end) {
          int tag = readTag(end);
          if (tag == TAG1_VARINT) {
            out = put(out, n++, readVarint64(end));
          } else if (tag == TAG1_LEN) {
            int packedEnd = messageEnd(end);
            while (pos < packedEnd) {
              out = put(out, n++, readVarint64(packedEnd));
            }
          } else {
            skipField(tag, end, 0);
          }
        }
      }
    } catch (InvalidRecordException e) {
      throw unreachable(e);
    }
    return Arrays.copyOf(out, n);
  }

  /** {@code a} with {@code a[i] = v}, grown when {@code i} is past its end. */
  private static long[] put(long[] a, int i, long v) {
    long[] out = i < a.length ? a : Arrays.copyOf(a, Math.max(8, 2 * i));
    out[i] = v;
    return out;
  }

  /**
   * Stores the slices of the bytes values of wanted context key {@code slot} (present) in
   * {@code out[0]}, growing it as needed; returns how many there are.
   */
  int readBytes(int slot, long[][] out, String key) throws InvalidRecordException {
    long simple = simpleValues[slot];
    if (simple == ProtoWire.ABSENT) {
      return readBytes(found[CONTEXT][slot], false, out, key);
    }
    requireKind(simpleKinds[slot], ProtoWire.BYTES_LIST, key);
    out[0][0] = simple;
    return 1;
  }

  /**
   * The slice of the one bytes value of frame {@code frame} (of {@link #frames}) when it holds
   * exactly one, as TensorFlow writes frames, or ABSENT: then {@link #readBytes(long, boolean,
   * long[][], String)} of the frame reads it.
   */
  static long frameValue(long frame) {
    return frame < 0 ? frame & ~SINGLE_VALUE : ProtoWire.ABSENT;
  }

  // ---- any entry or Feature, resolved by walking it again ----

  /**
   * Resolves the {@code Feature} of map entry {@code entry} (or, with {@code bare}, the Feature
   * message {@code entry} itself) as protobuf merges it: returns the kind of its list
   * ({@link ProtoWire#BYTES_LIST}, {@link ProtoWire#FLOAT_LIST}, {@link ProtoWire#INT64_LIST}, or
   * 0 for none) and keeps the list messages of that kind for the readers.
   */
  int resolve(long entry, boolean bare) {
    listCount = 0;
    int start = ProtoWire.start(entry);
    int end = start + ProtoWire.length(entry);
    pos = start;
    if (bare) {
      return collectLists(end, 0);
    }
    int kind = 0;
    while (pos < end) {
      int tag = nextTag(end);
      if (tag == TAG2_LEN) {
        int len = lengthOf(end);
        kind = collectLists(pos + len, kind);
      } else {
        skip(tag, end);
      }
    }
    return kind;
  }

  private int collectLists(int end, int kind) {
    while (pos < end) {
      int tag = nextTag(end);
      if (tag == TAG1_LEN || tag == TAG2_LEN || tag == TAG3_LEN) {
        int field = tag >>> 3;
        int len = lengthOf(end);
        if (field != kind) {
          kind = field; // a oneof: another kind replaces what came before
          listCount = 0;
        }
        if (listCount == lists.length) {
          lists = Arrays.copyOf(lists, 2 * listCount);
        }
        lists[listCount++] = ProtoWire.slice(pos, len);
        pos += len;
      } else {
        skip(tag, end);
      }
    }
    return kind;
  }

  /** {@link #readTag}, {@link #readLength} and {@link #skipField} on bytes the parse has checked. */
  private int nextTag(int end) {
    try {
      return readTag(end);
    } catch (InvalidRecordException e) {
      throw unreachable(e);
    }
  }

  private int lengthOf(int end) {
    try {
      return readLength(end);
    } catch (InvalidRecordException e) {
      throw unreachable(e);
    }
  }

  private void skip(int tag, int end) {
    try {
      skipField(tag, end, 0);
    } catch (InvalidRecordException e) {
      throw unreachable(e);
    }
  }

  /**
   * Stores the slices of the bytes values of the Feature of map entry {@code entry} (the Feature
   * message itself with {@code bare}) in {@code out[0]}, growing it as needed; returns how many.
   */
  int readBytes(long entry, boolean bare, long[][] out, String key) throws InvalidRecordException {
    int kind = resolve(entry, bare);
    requireKind(kind, ProtoWire.BYTES_LIST, key);
    return kind == 0 ? 0 : collect(TAG1_LEN, out);
  }

  /** The number of values of the Feature {@link #resolve} resolved last, which returned {@code kind}. */
  int countValues(int kind) {
    if (kind == ProtoWire.INT64_LIST) {
      int n = 0;
      try {
        for (int l = 0; l < listCount; l++) {
          int end = ProtoWire.start(lists[l]) + ProtoWire.length(lists[l]);
          pos = ProtoWire.start(lists[l]);
          while (pos < end) {
            int tag = readTag(end);
            if (tag == TAG1_LEN) {
              int valuesEnd = messageEnd(end);
              while (pos < valuesEnd) {
                readVarint64(valuesEnd);
                n++;
              }
            } else if (tag == TAG1_VARINT) {
              readVarint64(end);
              n++;
            } else {
              skipField(tag, end, 0);
            }
          }
        }
      } catch (InvalidRecordException e) {
        throw unreachable(e);
      }
      return n;
    }
    long[][] slices = {new long[4]};
    if (kind == ProtoWire.FLOAT_LIST) {
      int n = 0;
      int chunks = collect(TAG1_LEN, slices);
      for (int i = 0; i < chunks; i++) {
        n += ProtoWire.length(slices[0][i]) / 4;
      }
      return n + collect(TAG1_FIXED32, slices);
    }
    return kind == ProtoWire.BYTES_LIST ? collect(TAG1_LEN, slices) : 0;
  }

  /**
   * The slices of the values of the resolved lists with tag {@code wantedTag} (length-delimited:
   * the payload; fixed32: the four bytes), in order.
   */
  private int collect(int wantedTag, long[][] out) {
    int n = 0;
    for (int l = 0; l < listCount; l++) {
      int end = ProtoWire.start(lists[l]) + ProtoWire.length(lists[l]);
      pos = ProtoWire.start(lists[l]);
      while (pos < end) {
        int tag = nextTag(end);
        if (tag == wantedTag) {
          int len = tag == TAG1_FIXED32 ? 4 : lengthOf(end);
          if (n == out[0].length) {
            out[0] = Arrays.copyOf(out[0], Math.max(4, 2 * n));
          }
          out[0][n++] = ProtoWire.slice(pos, len);
          pos += len;
        } else {
          skip(tag, end);
        }
      }
    }
    return n;
  }

  /**
   * Stores in {@code out[0]} the slices of the {@code Feature}s (frames) of the {@code FeatureList}
   * of map entry {@code entry}, growing it as needed; returns how many there are.
   */
  int readFrames(long entry, long[][] out) {
    int n = 0;
    int end = ProtoWire.start(entry) + ProtoWire.length(entry);
    pos = ProtoWire.start(entry);
    while (pos < end) {
      int tag = nextTag(end);
      if (tag != TAG2_LEN) {
        skip(tag, end);
        continue;
      }
      int listEnd = lengthOf(end) + pos;
      while (pos < listEnd) {
        int t = nextTag(listEnd);
        if (t == TAG1_LEN) {
          int len = lengthOf(listEnd);
          if (n == out[0].length) {
            out[0] = Arrays.copyOf(out[0], Math.max(4, 2 * n));
          }
          out[0][n++] = ProtoWire.slice(pos, len);
          pos += len;
        } else {
          skip(t, listEnd);
        }
      }
    }
    return n;
  }

  /** The bytes of the record last parsed. */
  byte[] buffer() {
    return buf;
  }
}
