package dev.tamp.codegen.container;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Java identifiers for model names (see {@code docs/format.md}, "Identifiers"): ASCII letters, digits and
 * underscores, starting with a letter, never a Java keyword, reserved literal or contextual keyword, at most
 * {@link #MAX_LENGTH} characters, and unique in a list, ignoring case, so they also make safe file names.
 */
public final class Identifiers {
    /** The longest identifier produced. */
    public static final int MAX_LENGTH = 64;

    /** Keywords, literals and contextual keywords of Java up to 21, as the generated code could meet them. */
    private static final Set<String> RESERVED = Set.of("abstract", "assert", "boolean", "break", "byte", "case",
            "catch", "char", "class", "const", "continue", "default", "do", "double", "else", "enum", "extends",
            "final", "finally", "float", "for", "goto", "if", "implements", "import", "instanceof", "int",
            "interface", "long", "native", "new", "package", "private", "protected", "public", "return", "short",
            "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try",
            "void", "volatile", "while", "true", "false", "null", "var", "yield", "record", "sealed", "permits",
            "exports", "module", "open", "opens", "provides", "requires", "to", "transitive", "uses", "with", "when");

    private Identifiers() {}

    /**
     * The identifier of one name, before making it unique: every run of characters other than ASCII letters and
     * digits becomes one {@code _}, leading and trailing ones dropped; {@code w} is prefixed when the result is
     * empty or starts with a digit, {@code _} appended to a reserved word; a result longer than {@link #MAX_LENGTH}
     * keeps its first 55 characters, then {@code _} and the CRC-32 of the name's UTF-8 bytes in 8 hex digits.
     */
    public static String base(String name) {
        StringBuilder b = new StringBuilder();
        boolean gap = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean keep = c < 128 && Character.isLetterOrDigit(c);
            if (keep) {
                if (gap && b.length() > 0) {
                    b.append('_');
                }
                b.append(c);
                gap = false;
            } else {
                gap = true;
            }
        }
        String id = b.length() == 0 || Character.isDigit(b.charAt(0)) ? "w" + b : b.toString();
        if (id.length() > MAX_LENGTH) {
            CRC32 crc = new CRC32();
            crc.update(name.getBytes(StandardCharsets.UTF_8));
            id = id.substring(0, MAX_LENGTH - 9) + "_" + String.format(Locale.ROOT, "%08x", crc.getValue());
        }
        if (RESERVED.contains(id)) {
            id = id + "_";
        }
        return id;
    }

    /**
     * One identifier per name, in order: {@link #base}, and when that is taken (ignoring case) by an earlier name,
     * the first free of {@code base_2}, {@code base_3}, ... (the base cut short so the whole stays within
     * {@link #MAX_LENGTH}). Deterministic: the same names in the same order give the same identifiers.
     */
    public static List<String> assign(List<String> names) {
        List<String> ids = new ArrayList<>(names.size());
        Set<String> taken = new HashSet<>();
        for (String name : names) {
            String base = base(name);
            String id = base;
            for (int k = 2; !taken.add(id.toLowerCase(Locale.ROOT)); k++) {
                String suffix = "_" + k;
                id = base.substring(0, Math.min(base.length(), MAX_LENGTH - suffix.length())) + suffix;
            }
            ids.add(id);
        }
        return ids;
    }

    /** Whether {@code id} is one this class could produce: the reader's check of a stored identifier. */
    public static boolean valid(String id) {
        if (id.isEmpty() || id.length() > MAX_LENGTH || RESERVED.contains(id)) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean letter = c < 128 && Character.isLetter(c);
            boolean ok = i == 0 ? letter : letter || (c < 128 && Character.isDigit(c)) || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
