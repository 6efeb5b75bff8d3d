package org.vidar.cli;

import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Names the command-line option in an error the core raised about one of its settings: the core's
 * records validate their fields once and name them as fields ({@code trunkFraction must be …});
 * a user reads the option ({@code --trunk-fraction must be …}).
 */
final class OptionNames {
  private OptionNames() {}

  /**
   * Builds a core record from options; an error about one of its fields names the option instead:
   * {@code aliases} maps fields to options where their names differ, other fields are looked up
   * by their name in kebab case.
   */
  static <T> T build(CommandSpec spec, Supplier<T> record, Map<String, String> aliases) {
    try {
      return record.get();
    } catch (IllegalArgumentException e) {
      throw named(spec, e, aliases);
    }
  }

  /**
   * {@code e} with its first word, a record field, replaced by its option ({@code aliases}, else
   * the option of {@code spec} of the same name in kebab case), as a usage error, when there is
   * one; else {@code e}.
   */
  static IllegalArgumentException named(CommandSpec spec, IllegalArgumentException e, Map<String, String> aliases) {
    String message = String.valueOf(e.getMessage());
    int end = message.indexOf(' ');
    String field = end < 0 ? message : message.substring(0, end);
    if (!field.matches("[a-z][a-zA-Z0-9]*")) {
      return e;
    }
    String option = option(spec, field, aliases);
    if (option == null) {
      return e;
    }
    return new UsageException(option + message.substring(field.length()), e);
  }

  /**
   * The option of {@code spec} a record field comes from: {@code aliases}' entry, else the option
   * named as the field in kebab case; null when {@code spec} has no such option.
   */
  static String option(CommandSpec spec, String field, Map<String, String> aliases) {
    String option = aliases.getOrDefault(field,
        "--" + field.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT));
    return spec.findOption(option) == null ? null : option;
  }
}
