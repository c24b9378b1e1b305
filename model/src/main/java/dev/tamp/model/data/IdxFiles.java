package dev.tamp.model.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads MNIST-family IDX files (images: magic 0x00000803, labels: magic 0x00000801), gzip-compressed or raw, and
 * locates an image/label pair in a directory.
 */
public final class IdxFiles {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;

    // Far beyond any MNIST-family set (Fashion-MNIST train is 47 MB); guards against headers declaring absurd sizes.
    private static final long MAX_PIXELS = Integer.MAX_VALUE - 8;

    private IdxFiles() {}

    /** Reads an image file and its label file and checks that they agree. */
    public static LabeledImages read(Path images, Path labels) {
        byte[] lb;
        int count;
        try (DataInputStream in = open(labels)) {
            int magic = in.readInt();
            if (magic != LABELS_MAGIC) {
                throw new DataLoadException(labels + ": not an IDX label file (magic 0x" + Integer.toHexString(magic)
                        + ", expected 0x00000801)");
            }
            count = in.readInt();
            if (count < 0) {
                throw new DataLoadException(labels + ": negative label count " + count);
            }
            lb = readExactly(in, count, labels);
        } catch (IOException e) {
            throw new DataLoadException(labels + ": cannot read: " + e.getMessage(), e);
        }
        try (DataInputStream in = open(images)) {
            int magic = in.readInt();
            if (magic != IMAGES_MAGIC) {
                throw new DataLoadException(images + ": not an IDX image file (magic 0x" + Integer.toHexString(magic)
                        + ", expected 0x00000803)");
            }
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (n < 0 || rows <= 0 || cols <= 0 || (long) n * rows * cols > MAX_PIXELS) {
                throw new DataLoadException(images + ": invalid header " + n + " x " + rows + " x " + cols);
            }
            if (n != count) {
                throw new DataLoadException(images + " holds " + n + " images but " + labels + " holds " + count
                        + " labels");
            }
            byte[] px = readExactly(in, n * rows * cols, images);
            return new LabeledImages(n, rows, cols, px, lb);
        } catch (IOException e) {
            throw new DataLoadException(images + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        InputStream in = b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16)) : raw;
        return new DataInputStream(in);
    }

    private static byte[] readExactly(DataInputStream in, int n, Path file) throws IOException {
        // Read in chunks rather than allocating the declared size up front: a lying header fails at end of file.
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(n, 1 << 20));
        byte[] buf = new byte[1 << 16];
        int remaining = n;
        while (remaining > 0) {
            int r = in.read(buf, 0, Math.min(buf.length, remaining));
            if (r < 0) {
                throw new DataLoadException(file + ": truncated (header declares " + n + " bytes of data, file has "
                        + (n - remaining) + ")");
            }
            out.write(buf, 0, r);
            remaining -= r;
        }
        return out.toByteArray();
    }

    /**
     * Finds the image and label files of a data set: a directory holding {@code *-images-idx3-ubyte[.gz]} and
     * {@code *-labels-idx1-ubyte[.gz]} (the {@code t10k} test pair when there are several), or the two files given.
     */
    public static LabeledImages locate(List<Path> paths) {
        if (paths.size() == 2) {
            Path a = paths.get(0);
            Path b = paths.get(1);
            boolean aImages = a.getFileName().toString().contains("images");
            return aImages ? read(a, b) : read(b, a);
        }
        if (paths.size() != 1) {
            throw new DataLoadException("give a directory or an image file and a label file");
        }
        Path dir = paths.get(0);
        if (!Files.isDirectory(dir)) {
            throw new DataLoadException(dir + ": not a directory (give a directory or the two IDX files)");
        }
        List<Path> images = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.matches(".*-images-idx3-ubyte(\\.gz)?")) {
                    images.add(p);
                }
            }
        } catch (IOException e) {
            throw new DataLoadException(dir + ": cannot list: " + e.getMessage(), e);
        }
        images.sort(null);
        if (images.isEmpty()) {
            throw new DataLoadException(dir + ": no *-images-idx3-ubyte[.gz] file");
        }
        Path chosen = images.stream().filter(p -> p.getFileName().toString().startsWith("t10k")).findFirst()
                .orElse(images.size() == 1 ? images.get(0) : null);
        if (chosen == null) {
            throw new DataLoadException(dir + ": several image files and none is t10k: " + images);
        }
        String name = chosen.getFileName().toString();
        String prefix = name.substring(0, name.indexOf("-images-idx3-ubyte"));
        for (String suffix : new String[] {"-labels-idx1-ubyte.gz", "-labels-idx1-ubyte"}) {
            Path labels = dir.resolve(prefix + suffix);
            if (Files.exists(labels)) {
                return read(chosen, labels);
            }
        }
        throw new DataLoadException(dir + ": no label file for " + name + " (expected " + prefix
                + "-labels-idx1-ubyte[.gz])");
    }
}
