package org.vidar.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The class vocabulary: a name and a training count per class index. Reads YouTube-8M's
 * {@code vocabulary.csv} (columns {@code Index}, {@code Name}, {@code TrainVideoCount} among others,
 * quoted fields allowed) and writes {@code Index,Name,TrainVideoCount}.
 */
public record Vocabulary(List<String> names, long[] trainCounts) {
  public Vocabulary {
    names = List.copyOf(names);
    if (trainCounts.length != names.size()) {
      throw new IllegalArgumentException(names.size() + " names but " + trainCounts.length + " counts");
    }
  }

  /** Number of classes. */
  public int size() {
    return names.size();
  }

  /** The name of class {@code index}. */
  public String name(int index) {
    return names.get(index);
  }

  /** Reads a vocabulary CSV; {@code file} names it in errors. Every index from 0 to n-1 must appear once. */
  public static Vocabulary read(InputStream in, String file) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String header = r.readLine();
    if (header == null) {
      throw new IOException(file + ": empty vocabulary file");
    }
    List<String> columns = splitCsv(header, file, 1);
    int index = columns.indexOf("Index");
    int name = columns.indexOf("Name");
    int count = columns.indexOf("TrainVideoCount");
    if (index < 0 || name < 0) {
      throw new IOException(file + ": header must hold columns Index and Name, found " + Excerpt.of(String.join(",", columns)));
    }
    List<String[]> rows = new ArrayList<>();
    String line;
    int lineNo = 1;
    int max = -1;
    while ((line = r.readLine()) != null) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      List<String> f = splitCsv(line, file, lineNo);
      if (f.size() <= Math.max(index, Math.max(name, count))) {
        throw new IOException(file + ": line " + lineNo + " has " + f.size() + " fields, expected " + columns.size());
      }
      int i;
      try {
        i = Integer.parseInt(f.get(index).trim());
      } catch (NumberFormatException e) {
        throw new IOException(file + ": line " + lineNo + ": Index " + Excerpt.of(f.get(index)) + " is not a number");
      }
      if (i < 0) {
        throw new IOException(file + ": line " + lineNo + ": negative Index " + i);
      }
      max = Math.max(max, i);
      rows.add(new String[] {Integer.toString(i), f.get(name), count >= 0 ? f.get(count).trim() : "0",
          Integer.toString(lineNo)});
    }
    String[] names = new String[max + 1];
    long[] counts = new long[max + 1];
    for (String[] row : rows) {
      int i = Integer.parseInt(row[0]);
      if (names[i] != null) {
        throw new IOException(file + ": line " + row[3] + ": Index " + i + " appears twice");
      }
      names[i] = row[1];
      try {
        counts[i] = row[2].isEmpty() ? 0 : Long.parseLong(row[2]);
      } catch (NumberFormatException e) {
        throw new IOException(file + ": line " + row[3] + ": TrainVideoCount " + Excerpt.of(row[2]) + " is not a number");
      }
    }
    for (int i = 0; i < names.length; i++) {
      if (names[i] == null) {
        throw new IOException(file + ": class index " + i + " is missing (indices run to " + max + ")");
      }
    }
    return new Vocabulary(Arrays.asList(names), counts);
  }

  /** Writes the vocabulary as {@code Index,Name,TrainVideoCount}. */
  public void write(OutputStream out) throws IOException {
    Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
    w.write("Index,Name,TrainVideoCount\n");
    for (int i = 0; i < names.size(); i++) {
      w.write(i + "," + quote(names.get(i)) + "," + trainCounts[i] + "\n");
    }
    w.flush();
  }

  private static String quote(String s) {
    return s.indexOf(',') >= 0 || s.indexOf('"') >= 0 ? '"' + s.replace("\"", "\"\"") + '"' : s;
  }

  /** Splits one RFC 4180 CSV line (quoted fields may hold commas and doubled quotes). */
  static List<String> splitCsv(String line, String file, int lineNo) throws IOException {
    List<String> out = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"') {
          if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
            field.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        out.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    if (quoted) {
      throw new IOException(file + ": line " + lineNo + ": unterminated quoted field");
    }
    out.add(field.toString());
    return out;
  }
}
