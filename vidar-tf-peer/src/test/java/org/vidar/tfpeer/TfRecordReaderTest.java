package org.vidar.tfpeer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TfRecordReaderTest {
  @TempDir Path dir;

  @Test
  void readsFramedRecordsInOrder() throws IOException {
    Path file = dir.resolve("a.tfrecord");
    TestRecords.write(file, List.of(new byte[] {1, 2, 3}, new byte[0], new byte[] {9}));
    try (TfRecordReader reader = new TfRecordReader(file)) {
      assertArrayEquals(new byte[] {1, 2, 3}, reader.next());
      assertArrayEquals(new byte[0], reader.next());
      assertArrayEquals(new byte[] {9}, reader.next());
      assertNull(reader.next());
    }
  }

  @Test
  void damagedPayloadNamesFileAndRecord() throws IOException {
    Path file = dir.resolve("b.tfrecord");
    TestRecords.write(file, List.of(new byte[] {1, 2, 3}, new byte[] {4, 5, 6}));
    byte[] bytes = Files.readAllBytes(file);
    bytes[19 + 12] ^= 1; // first payload byte of record 1 (record 0 takes 12 + 3 + 4 = 19 bytes)
    Files.write(file, bytes);
    try (TfRecordReader reader = new TfRecordReader(file)) {
      reader.next();
      IOException e = assertThrows(IOException.class, reader::next);
      assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("record 1 at byte 19"), e.getMessage());
      assertTrue(e.getMessage().contains("payload CRC"), e.getMessage());
    }
  }

  @Test
  void cutFileNamesRecord() throws IOException {
    Path file = dir.resolve("c.tfrecord");
    TestRecords.write(file, List.of(new byte[] {1, 2, 3}));
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 2));
    try (TfRecordReader reader = new TfRecordReader(file)) {
      IOException e = assertThrows(IOException.class, reader::next);
      assertTrue(e.getMessage().contains("record 0"), e.getMessage());
      assertTrue(e.getMessage().contains("cut short"), e.getMessage());
    }
  }
}
