package dev.tamp.compiler;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The target specs shipped with tamp (the repository's {@code specs/} folder, packaged as resources), listed in
 * {@code specs/index}; a test keeps the index equal to the folder.
 */
public final class BundledTargets {
    private static volatile List<String> names;

    private BundledTargets() {}

    public static List<String> names() {
        List<String> result = names;
        if (result == null) {
            result = load();
            names = result;
        }
        return result;
    }

    private static List<String> load() {
        try (InputStream in = BundledTargets.class.getClassLoader().getResourceAsStream("specs/index")) {
            if (in == null) {
                return List.of();
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
