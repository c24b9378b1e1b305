package dev.tamp.compiler.sema;

import java.nio.file.Path;

/** What a file may declare, from its extension. */
public enum FileKind {
    /** {@code .recipe}: exactly one recipe. */
    RECIPE,
    /** {@code .target}: one or more targets. */
    TARGET,
    /** Any other name: any declarations. */
    ANY;

    public static FileKind of(String fileName) {
        if (fileName.endsWith(".recipe")) {
            return RECIPE;
        }
        if (fileName.endsWith(".target")) {
            return TARGET;
        }
        return ANY;
    }

    public static FileKind of(Path path) {
        Path name = path.getFileName();
        return name == null ? ANY : of(name.toString());
    }
}
