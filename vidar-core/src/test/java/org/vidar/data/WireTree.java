package org.vidar.data;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code tf.train} message as a tree of wire fields, split by the schema (a length-delimited field
 * that the schema says holds a message is a node with children; anything else is a leaf of raw
 * bytes), so the fuzzer can edit structure and write it back with every enclosing length
 * recomputed. Lengths and tags can be written non-minimally or wrong on purpose.
 */
final class WireTree {
  /** Message types of example.proto and feature.proto; LEAF for anything that is not parsed as one. */
  enum Type {
    EXAMPLE, SEQUENCE_EXAMPLE, FEATURES, FEATURES_ENTRY, FEATURE, BYTES_LIST, FLOAT_LIST, INT64_LIST,
    FEATURE_LISTS, FEATURE_LISTS_ENTRY, FEATURE_LIST, LEAF
  }

  /** One field (or, for the root, the message itself). */
  static final class Node {
    int number;
    int wireType;
    Type type;
    /** A leaf's value bytes as they follow the tag (and, for a length-delimited leaf, its length). */
    byte[] value;
    List<Node> children = new ArrayList<>();
    /** Extra continuation bytes in the tag's and the length's varints (protobuf reads non-minimal varints). */
    int tagPadding;
    int lengthPadding;
    /** Added to the length written for this field (a wrong length, on purpose). */
    int lengthDelta;

    Node copy() {
      Node n = new Node();
      n.number = number;
      n.wireType = wireType;
      n.type = type;
      n.value = value == null ? null : value.clone();
      for (Node c : children) {
        n.children.add(c.copy());
      }
      n.tagPadding = tagPadding;
      n.lengthPadding = lengthPadding;
      n.lengthDelta = lengthDelta;
      return n;
    }

    boolean isMessage() {
      return type != Type.LEAF;
    }
  }

  private WireTree() {}

  /** The message type of field {@code number} of {@code parent} when it is length-delimited. */
  static Type childType(Type parent, int number) {
    return switch (parent) {
      case EXAMPLE -> number == 1 ? Type.FEATURES : Type.LEAF;
      case SEQUENCE_EXAMPLE -> number == 1 ? Type.FEATURES : number == 2 ? Type.FEATURE_LISTS : Type.LEAF;
      case FEATURES -> number == 1 ? Type.FEATURES_ENTRY : Type.LEAF;
      case FEATURES_ENTRY -> number == 2 ? Type.FEATURE : Type.LEAF;
      case FEATURE -> number == 1 ? Type.BYTES_LIST : number == 2 ? Type.FLOAT_LIST
          : number == 3 ? Type.INT64_LIST : Type.LEAF;
      case FEATURE_LISTS -> number == 1 ? Type.FEATURE_LISTS_ENTRY : Type.LEAF;
      case FEATURE_LISTS_ENTRY -> number == 2 ? Type.FEATURE_LIST : Type.LEAF;
      case FEATURE_LIST -> number == 1 ? Type.FEATURE : Type.LEAF;
      default -> Type.LEAF;
    };
  }

  /** Parses well-formed bytes of message {@code type} into a tree. */
  static Node parse(Type type, byte[] bytes) {
    Node root = new Node();
    root.type = type;
    root.wireType = 2;
    parseInto(root, bytes, 0, bytes.length);
    return root;
  }

  private static void parseInto(Node parent, byte[] b, int from, int to) {
    int[] p = {from};
    while (p[0] < to) {
      long tag = readVarint(b, p);
      Node n = new Node();
      n.number = (int) (tag >>> 3);
      n.wireType = (int) (tag & 7);
      int valueStart = p[0];
      switch (n.wireType) {
        case 0 -> readVarint(b, p);
        case 1 -> p[0] += 8;
        case 5 -> p[0] += 4;
        case 2 -> {
          int len = (int) readVarint(b, p);
          Type t = childType(parent.type, n.number);
          if (t != Type.LEAF) {
            n.type = t;
            parseInto(n, b, p[0], p[0] + len);
            p[0] += len;
            parent.children.add(n);
            continue;
          }
          valueStart = p[0];
          p[0] += len;
        }
        default -> throw new IllegalArgumentException("the base messages hold no groups: wire type " + n.wireType);
      }
      n.type = Type.LEAF;
      n.value = java.util.Arrays.copyOfRange(b, valueStart, p[0]);
      parent.children.add(n);
    }
  }

  private static long readVarint(byte[] b, int[] p) {
    long r = 0;
    for (int shift = 0; ; shift += 7) {
      byte x = b[p[0]++];
      r |= (long) (x & 0x7f) << shift;
      if (x >= 0) {
        return r;
      }
    }
  }

  /** The bytes of a root node: its children, without a tag or length of its own. */
  static byte[] write(Node root) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Node c : root.children) {
      writeField(out, c);
    }
    return out.toByteArray();
  }

  private static void writeField(ByteArrayOutputStream out, Node n) {
    writeVarint(out, ((long) n.number << 3) | n.wireType, n.tagPadding);
    if (n.isMessage()) {
      byte[] body = write(n);
      writeVarint(out, body.length + (long) n.lengthDelta, n.lengthPadding);
      out.writeBytes(body);
    } else if (n.wireType == 2) {
      writeVarint(out, n.value.length + (long) n.lengthDelta, n.lengthPadding);
      out.writeBytes(n.value);
    } else {
      out.writeBytes(n.value);
    }
  }

  /** A varint, with {@code padding} redundant continuation bytes; a negative value as ten bytes. */
  static void writeVarint(ByteArrayOutputStream out, long v, int padding) {
    List<Integer> bytes = new ArrayList<>();
    do {
      bytes.add((int) (v & 0x7f));
      v >>>= 7;
    } while (v != 0);
    for (int i = 0; i < padding; i++) {
      bytes.add(0);
    }
    for (int i = 0; i < bytes.size(); i++) {
      out.write(bytes.get(i) | (i < bytes.size() - 1 ? 0x80 : 0));
    }
  }

  static byte[] varint(long v) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeVarint(out, v, 0);
    return out.toByteArray();
  }

  /** Every node below {@code root} with its parent, in document order. */
  static List<Node[]> nodesWithParents(Node root) {
    List<Node[]> out = new ArrayList<>();
    collect(root, out);
    return out;
  }

  private static void collect(Node parent, List<Node[]> out) {
    for (Node c : parent.children) {
      out.add(new Node[] {parent, c});
      if (c.isMessage()) {
        collect(c, out);
      }
    }
  }
}
