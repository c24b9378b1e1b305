package dev.tamp.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * An output folder that a command replaces as a whole or not at all. Files are written into a hidden sibling folder,
 * which is then swapped in; a failed write leaves the previous folder untouched. From {@link #open} to {@link #close}
 * a JVM shutdown hook guards the run against Ctrl-C: an interrupt during the writing waits for it to finish (so the
 * swap is never half done), and an interrupt before it says that nothing was written and removes the hidden folder.
 */
final class OutputFolder implements AutoCloseable {
    /** What goes into the folder. */
    interface Contents {
        void writeInto(Path folder) throws IOException;
    }

    private final Path given;
    private final Path target;
    private final Path temp;
    private final PrintWriter err;
    private final Thread hook;
    private final Object lock = new Object();
    private boolean published;

    private OutputFolder(Path dir, PrintWriter err) {
        this.given = dir;
        this.target = dir.toAbsolutePath().normalize();
        this.temp = target.resolveSibling("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        this.err = err;
        this.hook = new Thread(this::interrupted, "tamp-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Guards a run that will publish into {@code dir}; close it when the command ends, published or not. */
    static OutputFolder open(Path dir, PrintWriter err) {
        return new OutputFolder(dir, err);
    }

    /** The folder as the command line named it. */
    Path path() {
        return given;
    }

    /** Writes the contents into a fresh hidden sibling and swaps it in place of the folder. */
    void publish(Contents contents) throws IOException {
        synchronized (lock) {
            Path parent = target.getParent();
            Files.createDirectories(parent);
            if (Files.exists(target) && !Files.isDirectory(target)) {
                throw new IOException("exists and is not a folder");
            }
            if (Files.exists(temp)) {
                deleteTree(temp); // left by an earlier, killed run that had the same process id
            }
            // Not createTempDirectory: its owner-only permissions would carry over to the output folder.
            Files.createDirectory(temp);
            try {
                contents.writeInto(temp);
                Path old = null;
                if (Files.exists(target)) {
                    old = target.resolveSibling("." + target.getFileName() + ".old-" + ProcessHandle.current().pid());
                    Files.move(target, old);
                }
                Files.move(temp, target);
                published = true;
                if (old != null) {
                    deleteTree(old);
                }
            } finally {
                if (!published) {
                    deleteTree(temp);
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: nothing left to undo
        }
    }

    /** The shutdown hook: waits for a publish in progress, then cleans up after an interrupted one. */
    private void interrupted() {
        synchronized (lock) {
            if (published) {
                return;
            }
            try {
                if (Files.exists(temp)) {
                    deleteTree(temp);
                }
            } catch (IOException e) {
                err.println("interrupted: could not remove `" + temp + "`: " + e.getMessage());
            }
            err.println();
            err.println("interrupted: nothing was written; `" + target + "` is as it was");
            err.flush();
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
