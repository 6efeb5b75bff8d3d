package org.vidar.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Decompresses a gzip file of one or more members (RFC 1952) and accepts nothing else: every
 * header checked (magic, method, reserved flags, header CRC), every member's CRC32 and size checked,
 * and whatever follows a member must be another whole member. {@link java.util.zip.GZIPInputStream}
 * ends quietly at bytes after a member that do not start a new one (a second member cut inside its
 * header, a damaged one, junk), so a file that lost most of its records read as a shorter sound file;
 * and it looks for a next member only when the stream says bytes are available, which a Hadoop
 * stream need not. Problems are a {@link ZipException}, or an {@link EOFException} where the file
 * ends inside a member, each saying at which compressed byte; the first header is read at once, as
 * {@code GZIPInputStream} does, so a file that is no gzip at all fails when opened.
 */
final class GzipMembersInputStream extends InputStream {
  private static final int FHCRC = 2;
  private static final int FEXTRA = 4;
  private static final int FNAME = 8;
  private static final int FCOMMENT = 16;
  private static final int RESERVED = 0xe0;

  private final InputStream in;
  private final byte[] buf;
  private int bufPos;
  private int bufEnd;
  /** Compressed bytes before {@code buf[0]}. */
  private long bufStart;
  private final Inflater inflater = new Inflater(true);
  private final CRC32 crc = new CRC32();
  private long memberStart;
  private int member;
  private boolean done;
  private final byte[] one = new byte[1];

  /** Reads the first member's header from {@code in}, through a buffer of {@code bufferSize} bytes. */
  GzipMembersInputStream(InputStream in, int bufferSize) throws IOException {
    this.in = in;
    this.buf = new byte[bufferSize];
    try {
      readHeader(true);
    } catch (IOException | RuntimeException e) {
      inflater.end();
      throw e;
    }
  }

  /** The compressed byte the reading is at. */
  private long position() {
    return bufStart + bufPos;
  }

  /** Refills the buffer; false at the end of the file. */
  private boolean fill() throws IOException {
    bufStart += bufEnd;
    bufPos = 0;
    bufEnd = 0;
    int n = in.read(buf, 0, buf.length);
    if (n <= 0) {
      return false;
    }
    bufEnd = n;
    return true;
  }

  /** The next compressed byte, or -1 at the end of the file. */
  private int next() throws IOException {
    if (bufPos == bufEnd && !fill()) {
      return -1;
    }
    return buf[bufPos++] & 0xff;
  }

  private int headerByte(CRC32 headerCrc, String where) throws IOException {
    int b = next();
    if (b < 0) {
      throw new EOFException("the file ends inside the header of gzip member " + member + " (" + where + ", byte "
          + position() + ")");
    }
    headerCrc.update(b);
    return b;
  }

  /**
   * Reads a member's header. At the first one, or after a member when more bytes follow, anything
   * but a valid header is an error; returns false at the end of the file after a member.
   */
  private boolean readHeader(boolean first) throws IOException {
    memberStart = position();
    int b = next();
    if (b < 0) {
      if (first) {
        throw new EOFException("the file is empty, not a gzip file");
      }
      return false;
    }
    CRC32 h = new CRC32();
    h.update(b);
    String after = first ? "" : "the bytes after gzip member " + (member - 1) + ", from byte " + memberStart
        + ", are not a gzip member: ";
    if (b != 0x1f || headerByte(h, "magic") != 0x8b) {
      throw new ZipException(after + "no gzip magic number");
    }
    int method = headerByte(h, "method");
    if (method != 8) {
      throw new ZipException(after + "compression method " + method + ", not deflate (8)");
    }
    int flags = headerByte(h, "flags");
    if ((flags & RESERVED) != 0) {
      throw new ZipException(after + "reserved header flags set (" + flags + ")");
    }
    for (int i = 0; i < 6; i++) {
      headerByte(h, "time, flags, system");
    }
    if ((flags & FEXTRA) != 0) {
      int length = headerByte(h, "extra field length") | headerByte(h, "extra field length") << 8;
      for (int i = 0; i < length; i++) {
        headerByte(h, "extra field");
      }
    }
    if ((flags & FNAME) != 0) {
      while (headerByte(h, "file name") != 0) {
        // the name is of no use
      }
    }
    if ((flags & FCOMMENT) != 0) {
      while (headerByte(h, "comment") != 0) {
        // nor the comment
      }
    }
    if ((flags & FHCRC) != 0) {
      int expected = (int) (h.getValue() & 0xffff);
      int stored = headerByte(h, "header CRC") | headerByte(h, "header CRC") << 8;
      if (stored != expected) {
        throw new ZipException(after + "header CRC mismatch (stored " + stored
            + ", computed " + expected + ")");
      }
    }
    inflater.reset();
    crc.reset();
    return true;
  }

  @Override
  public int read() throws IOException {
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    while (!done) {
      if (inflater.finished()) {
        // the bytes the inflater was given but did not use belong to the trailer
        bufPos = bufEnd - inflater.getRemaining();
        readTrailer();
        member++;
        if (!readHeader(false)) {
          done = true;
        }
        continue;
      }
      if (inflater.needsInput()) {
        if (bufPos == bufEnd && !fill()) {
          throw new EOFException("the file ends inside the compressed data of gzip member " + member + " (from byte "
              + memberStart + ", " + position() + " bytes in the file)");
        }
        inflater.setInput(buf, bufPos, bufEnd - bufPos);
        bufPos = bufEnd;
      }
      int n;
      try {
        n = inflater.inflate(b, off, len);
      } catch (DataFormatException e) {
        throw new ZipException("gzip member " + member + " (from byte " + memberStart + ") holds invalid deflate "
            + "data: " + e.getMessage());
      }
      if (n > 0) {
        crc.update(b, off, n);
        return n;
      }
      if (inflater.needsDictionary()) {
        throw new ZipException("gzip member " + member + " (from byte " + memberStart + ") asks for a preset "
            + "dictionary, which gzip does not have");
      }
    }
    return -1;
  }

  private int trailerByte() throws IOException {
    int b = next();
    if (b < 0) {
      throw new EOFException("the file ends inside the trailer of gzip member " + member + " (from byte "
          + memberStart + ")");
    }
    return b;
  }

  private long trailerInt() throws IOException {
    return trailerByte() | trailerByte() << 8 | trailerByte() << 16 | (long) trailerByte() << 24;
  }

  private void readTrailer() throws IOException {
    long storedCrc = trailerInt();
    long storedSize = trailerInt();
    if (storedCrc != crc.getValue()) {
      throw new ZipException(String.format(java.util.Locale.ROOT, "gzip member %d (from byte %d): CRC32 mismatch "
          + "(stored %08x, computed %08x)", member, memberStart, storedCrc, crc.getValue()));
    }
    if (storedSize != (inflater.getBytesWritten() & 0xffffffffL)) {
      throw new ZipException("gzip member " + member + " (from byte " + memberStart + "): size " + storedSize
          + " in the trailer, " + inflater.getBytesWritten() + " bytes decompressed");
    }
  }

  @Override
  public void close() throws IOException {
    inflater.end();
    in.close();
  }
}
