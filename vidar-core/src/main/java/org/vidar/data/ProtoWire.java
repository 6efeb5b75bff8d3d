package org.vidar.data;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads and writes the parts of TensorFlow's {@code tf.train} messages that Vidar uses, straight on
 * the protobuf wire format with protobuf-java's {@link CodedInputStream} / {@link CodedOutputStream}.
 *
 * <p>We do not build generated message objects: a decoded {@code Example} would hold a map of
 * {@code Feature} objects and a boxed-free but copied {@code FloatList} per key, and the reader's
 * target is a copy straight from the record buffer into the caller's float array (see the TFRecord
 * decode benchmark in vidar-bench). Slices are passed as packed longs, {@code (start << 32) | length},
 * so scanning allocates nothing.
 *
 * <p>Messages (field numbers of tensorflow/core/example/{example,feature}.proto):
 * Example{1: Features}; SequenceExample{1: Features context, 2: FeatureLists};
 * Features{1: map&lt;string, Feature&gt;}; FeatureLists{1: map&lt;string, FeatureList&gt;};
 * FeatureList{1: repeated Feature}; Feature{oneof 1: BytesList, 2: FloatList, 3: Int64List};
 * BytesList{1: repeated bytes}; FloatList{1: repeated float, packed}; Int64List{1: repeated int64, packed}.
 */
final class ProtoWire {
  static final int BYTES_LIST = 1;
  static final int FLOAT_LIST = 2;
  static final int INT64_LIST = 3;
  static final long ABSENT = -1L;

  private static final int LEN = WireFormat.WIRETYPE_LENGTH_DELIMITED;

  private ProtoWire() {}

  /** A field's tag; {@code WireFormat.makeTag} is package-private in protobuf-java. */
  static int tag(int field, int wireType) {
    return (field << 3) | wireType;
  }

  static long slice(int start, int length) {
    return ((long) start << 32) | (length & 0xffffffffL);
  }

  static int start(long slice) {
    return (int) (slice >>> 32);
  }

  static int length(long slice) {
    return (int) slice;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Offset in {@code buf} of the stream's next unread byte. */
  private static int pos(CodedInputStream in, int base) {
    return base + in.getTotalBytesRead();
  }

  private static InvalidRecordException malformed(String where, IOException e) {
    return new InvalidRecordException(RecordProblem.MALFORMED, where + ": " + e.getMessage());
  }

  /**
   * Finds the first length-delimited field {@code field} of the message in {@code msg}; returns its
   * slice or {@link #ABSENT}. Later occurrences of a singular message field merge in protobuf; we take
   * the first, as TensorFlow's writers never repeat these fields.
   */
  static long findMessageField(byte[] buf, long msg, int field, String where)
      throws InvalidRecordException {
    int base = start(msg);
    CodedInputStream in = CodedInputStream.newInstance(buf, base, length(msg));
    try {
      int tag;
      while ((tag = in.readTag()) != 0) {
        if (WireFormat.getTagFieldNumber(tag) == field && WireFormat.getTagWireType(tag) == LEN) {
          int len = in.readRawVarint32();
          checkLength(len, in);
          return slice(pos(in, base), len);
        }
        in.skipField(tag);
      }
      return ABSENT;
    } catch (IOException e) {
      throw malformed(where, e);
    }
  }

  private static void checkLength(int len, CodedInputStream in) throws InvalidProtocolBufferException {
    if (len < 0 || len > in.getBytesUntilLimit()) {
      throw new InvalidProtocolBufferException("field length " + len + " runs past the message end");
    }
  }

  /**
   * Scans a {@code Features} or {@code FeatureLists} map message: for every entry whose key equals
   * {@code keys[i]}, stores the slice of its value message in {@code values[i]} (entries absent stay
   * {@link #ABSENT}; a repeated key keeps the last value, as a protobuf map does).
   */
  static void scanMap(byte[] buf, long map, byte[][] keys, long[] values, String where)
      throws InvalidRecordException {
    Arrays.fill(values, ABSENT);
    forEachEntry(buf, map, (b, keyStart, keyLen, value) -> {
      for (int i = 0; i < keys.length; i++) {
        byte[] k = keys[i];
        if (k.length == keyLen && Arrays.equals(b, keyStart, keyStart + keyLen, k, 0, k.length)) {
          values[i] = value;
        }
      }
    }, where);
  }

  /** Receives the entries of a map message: the key bytes and the slice of the value message. */
  @FunctionalInterface
  interface EntryVisitor {
    void entry(byte[] buf, int keyStart, int keyLength, long value) throws InvalidRecordException;
  }

  /** Calls {@code visitor} for every entry of a {@code Features} or {@code FeatureLists} map, in order. */
  static void forEachEntry(byte[] buf, long map, EntryVisitor visitor, String where)
      throws InvalidRecordException {
    if (map == ABSENT) {
      return;
    }
    int base = start(map);
    CodedInputStream in = CodedInputStream.newInstance(buf, base, length(map));
    try {
      int tag;
      while ((tag = in.readTag()) != 0) {
        if (tag != tag(1, LEN)) {
          in.skipField(tag);
          continue;
        }
        int entryLen = in.readRawVarint32();
        checkLength(entryLen, in);
        int limit = in.pushLimit(entryLen);
        int keyStart = pos(in, base);
        int keyLen = 0;
        long value = slice(0, 0);
        int entryTag;
        while ((entryTag = in.readTag()) != 0) {
          int field = WireFormat.getTagFieldNumber(entryTag);
          if ((field == 1 || field == 2) && WireFormat.getTagWireType(entryTag) == LEN) {
            int len = in.readRawVarint32();
            checkLength(len, in);
            if (field == 1) {
              keyStart = pos(in, base);
              keyLen = len;
            } else {
              value = slice(pos(in, base), len);
            }
            in.skipRawBytes(len);
          } else {
            in.skipField(entryTag);
          }
        }
        in.popLimit(limit);
        visitor.entry(buf, keyStart, keyLen, value);
      }
    } catch (IOException e) {
      throw malformed(where, e);
    }
  }

  /**
   * The kind of list a {@code Feature} holds ({@link #BYTES_LIST}, {@link #FLOAT_LIST},
   * {@link #INT64_LIST}) and its slice, packed as {@code kind} in the returned array's first slot.
   */
  static int featureKind(byte[] buf, long feature, long[] listOut) throws InvalidRecordException {
    int base = start(feature);
    CodedInputStream in = CodedInputStream.newInstance(buf, base, length(feature));
    int kind = 0;
    listOut[0] = slice(base, 0);
    try {
      int tag;
      while ((tag = in.readTag()) != 0) {
        int field = WireFormat.getTagFieldNumber(tag);
        if (field >= BYTES_LIST && field <= INT64_LIST && WireFormat.getTagWireType(tag) == LEN) {
          int len = in.readRawVarint32();
          checkLength(len, in);
          kind = field;
          listOut[0] = slice(pos(in, base), len);
          in.skipRawBytes(len);
        } else {
          in.skipField(tag);
        }
      }
      return kind;
    } catch (IOException e) {
      throw malformed("feature", e);
    }
  }

  /** The number of values in a list message of {@code kind}, packed or not. */
  static int countValues(byte[] buf, long list, int kind) throws InvalidRecordException {
    return switch (kind) {
      case BYTES_LIST -> readBytesValues(buf, list, new long[][] {new long[4]}, "bytes_list");
      case INT64_LIST -> readInt64s(buf, list, "int64_list").length;
      case FLOAT_LIST -> countFloats(buf, list);
      default -> 0;
    };
  }

  private static int countFloats(byte[] buf, long list) throws InvalidRecordException {
    int base = start(list);
    CodedInputStream in = CodedInputStream.newInstance(buf, base, length(list));
    int n = 0;
    try {
      int tag;
      while ((tag = in.readTag()) != 0) {
        if (tag == tag(1, LEN)) {
          int len = in.readRawVarint32();
          checkLength(len, in);
          n += len / 4;
          in.skipRawBytes(len);
        } else {
          if (tag == tag(1, WireFormat.WIRETYPE_FIXED32)) {
            n++;
          }
          in.skipField(tag);
        }
      }
      return n;
    } catch (IOException e) {
      throw malformed("float_list", e);
    }
  }

  /**
   * The list message inside a {@code Feature}: its slice when the feature holds list {@code kind}, an
   * empty slice when the feature holds no list at all.
   *
   * @throws InvalidRecordException WRONG_TYPE when the feature holds another kind of list
   */
  static long featureList(byte[] buf, long feature, int kind, String key)
      throws InvalidRecordException {
    int base = start(feature);
    CodedInputStream in = CodedInputStream.newInstance(buf, base, length(feature));
    long found = slice(base, 0);
    try {
      int tag;
      while ((tag = in.readTag()) != 0) {
        int field = WireFormat.getTagFieldNumber(tag);
        if (field >= BYTES_LIST && field <= INT64_LIST && WireFormat.getTagWireType(tag) == LEN) {
          int len = in.readRawVarint32();
          checkLength(len, in);
          if (field != kind) {
            throw new InvalidRecordException(RecordProblem.WRONG_TYPE, "key " + Excerpt.of(key) + " holds a "
                + kindName(field) + ", expected a " + kindName(kind));
          }
          found = slice(pos(in, base), len);
          in.skipRawBytes(len);
        } else {
          in.skipField(tag);
        }
      }
      return found;
    } catch (IOException e) {
      throw malformed("key " + Excerpt.of(key), e);
    }
  }

  static String kindName(int kind) {
    return switch (kind) {
      case BYTES_LIST -> "bytes_list";
      case FLOAT_LIST -> "float_list";
      case INT64_LIST -> "int64_list";
      default -> "list kind " + kind;
    };
  }

  /**
   * Copies the values of a {@code FloatList} into {@code dst[dstOff ..]}; the list must hold exactly
   * {@code expected} finite values. Accepts packed and unpacked encodings.
   */
  static void readFloats(byte[] buf, long list, float[] dst, int dstOff, int expected, String key)
      throws InvalidRecordException {
    int base = start(list);
    CodedInputStream in = CodedInputStream.newInstance(buf, base, length(list));
    int n = 0;
    try {
      int tag;
      while ((tag = in.readTag()) != 0) {
        if (tag == tag(1, LEN)) {
          int len = in.readRawVarint32();
          checkLength(len, in);
          if (len % 4 != 0) {
            throw new InvalidProtocolBufferException("packed float field of " + len + " bytes");
          }
          int count = len / 4;
          if (n + count > expected) {
            throw wrongLength(key, n + count, expected);
          }
          ByteBuffer.wrap(buf, pos(in, base), len).slice().order(ByteOrder.LITTLE_ENDIAN)
              .asFloatBuffer().get(dst, dstOff + n, count);
          n += count;
          in.skipRawBytes(len);
        } else if (tag == tag(1, WireFormat.WIRETYPE_FIXED32)) {
          if (n == expected) {
            throw wrongLength(key, n + 1, expected);
          }
          dst[dstOff + n++] = in.readFloat();
        } else {
          in.skipField(tag);
        }
      }
    } catch (IOException e) {
      throw malformed("key " + Excerpt.of(key), e);
    }
    if (n != expected) {
      throw wrongLength(key, n, expected);
    }
    for (int i = dstOff, end = dstOff + n; i < end; i++) {
      if (!Float.isFinite(dst[i])) {
        throw new InvalidRecordException(RecordProblem.NON_FINITE,
            "key " + Excerpt.of(key) + " value " + (i - dstOff) + " is " + dst[i]);
      }
    }
  }

  private static InvalidRecordException wrongLength(String key, int got, int expected) {
    return new InvalidRecordException(RecordProblem.WRONG_LENGTH,
        "key " + Excerpt.of(key) + " has " + (got > expected ? "more than " + expected : got)
            + " values, expected " + expected);
  }

  /** The values of an {@code Int64List}, packed or unpacked. */
  static long[] readInt64s(byte[] buf, long list, String key) throws InvalidRecordException {
    int base = start(list);
    CodedInputStream in = CodedInputStream.newInstance(buf, base, length(list));
    long[] out = new long[8];
    int n = 0;
    try {
      int tag;
      while ((tag = in.readTag()) != 0) {
        if (tag == tag(1, LEN)) {
          int len = in.readRawVarint32();
          checkLength(len, in);
          int limit = in.pushLimit(len);
          while (in.getBytesUntilLimit() > 0) {
            if (n == out.length) {
              out = Arrays.copyOf(out, n * 2);
            }
            out[n++] = in.readInt64();
          }
          in.popLimit(limit);
        } else if (tag == tag(1, WireFormat.WIRETYPE_VARINT)) {
          if (n == out.length) {
            out = Arrays.copyOf(out, n * 2);
          }
          out[n++] = in.readInt64();
        } else {
          in.skipField(tag);
        }
      }
    } catch (IOException e) {
      throw malformed("key " + Excerpt.of(key), e);
    }
    return Arrays.copyOf(out, n);
  }

  /**
   * Stores the slices of the values of a {@code BytesList} into {@code out} (growing it as needed)
   * and returns how many there are.
   */
  static int readBytesValues(byte[] buf, long list, long[][] out, String key)
      throws InvalidRecordException {
    int base = start(list);
    CodedInputStream in = CodedInputStream.newInstance(buf, base, length(list));
    int n = 0;
    try {
      int tag;
      while ((tag = in.readTag()) != 0) {
        if (tag == tag(1, LEN)) {
          int len = in.readRawVarint32();
          checkLength(len, in);
          if (n == out[0].length) {
            out[0] = Arrays.copyOf(out[0], Math.max(4, n * 2));
          }
          out[0][n++] = slice(pos(in, base), len);
          in.skipRawBytes(len);
        } else {
          in.skipField(tag);
        }
      }
    } catch (IOException e) {
      throw malformed("key " + Excerpt.of(key), e);
    }
    return n;
  }

  /** Stores in {@code out} the slices of the {@code Feature}s of a {@code FeatureList}; returns the count. */
  static int readFeatureListEntries(byte[] buf, long featureList, long[][] out, String key)
      throws InvalidRecordException {
    // A FeatureList's repeated Feature is field 1, length-delimited: the same shape as a BytesList.
    return readBytesValues(buf, featureList, out, key);
  }

  // ---- writing ----

  static int lenFieldSize(int field, int payload) {
    return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(payload)
        + payload;
  }

  static void writeLenHeader(CodedOutputStream out, int field, int payload) throws IOException {
    out.writeTag(field, LEN);
    out.writeUInt32NoTag(payload);
  }

  /** Size of a map entry message {1: key, 2: value message of {@code valueSize} bytes}. */
  static int mapEntrySize(byte[] key, int valueSize) {
    return lenFieldSize(1, key.length) + lenFieldSize(2, valueSize);
  }

  static void writeMapEntry(CodedOutputStream out, byte[] key, int valueSize) throws IOException {
    writeLenHeader(out, 1, mapEntrySize(key, valueSize));
    writeLenHeader(out, 1, key.length);
    out.writeRawBytes(key);
    writeLenHeader(out, 2, valueSize);
  }

  static int bytesFeatureSize(int valueLength) {
    return lenFieldSize(BYTES_LIST, lenFieldSize(1, valueLength));
  }

  static void writeBytesFeature(CodedOutputStream out, byte[] value, int off, int len)
      throws IOException {
    writeLenHeader(out, BYTES_LIST, lenFieldSize(1, len));
    writeLenHeader(out, 1, len);
    out.writeRawBytes(value, off, len);
  }

  static int int64FeatureSize(int[] values) {
    int packed = int64PackedSize(values);
    return lenFieldSize(INT64_LIST, values.length == 0 ? 0 : lenFieldSize(1, packed));
  }

  private static int int64PackedSize(int[] values) {
    int packed = 0;
    for (int v : values) {
      packed += CodedOutputStream.computeInt64SizeNoTag(v);
    }
    return packed;
  }

  static void writeInt64Feature(CodedOutputStream out, int[] values) throws IOException {
    int packed = int64PackedSize(values);
    writeLenHeader(out, INT64_LIST, values.length == 0 ? 0 : lenFieldSize(1, packed));
    if (values.length > 0) {
      writeLenHeader(out, 1, packed);
      for (int v : values) {
        out.writeInt64NoTag(v);
      }
    }
  }

  static int floatFeatureSize(int count) {
    return lenFieldSize(FLOAT_LIST, count == 0 ? 0 : lenFieldSize(1, 4 * count));
  }

  static void writeFloatFeature(CodedOutputStream out, float[] values, int off, int count)
      throws IOException {
    writeLenHeader(out, FLOAT_LIST, count == 0 ? 0 : lenFieldSize(1, 4 * count));
    if (count > 0) {
      writeLenHeader(out, 1, 4 * count);
      for (int i = off; i < off + count; i++) {
        out.writeFloatNoTag(values[i]);
      }
    }
  }
}
