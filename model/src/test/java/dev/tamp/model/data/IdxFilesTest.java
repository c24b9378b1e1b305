package dev.tamp.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tamp.model.RepoFiles;
import dev.tamp.model.ir.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFilesTest {
    private static byte[] images(int magic, int n, int rows, int cols, int dataBytes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(n);
        out.writeInt(rows);
        out.writeInt(cols);
        for (int i = 0; i < dataBytes; i++) {
            out.writeByte(i);
        }
        return bytes.toByteArray();
    }

    private static byte[] labels(int magic, int n) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(n);
        for (int i = 0; i < n; i++) {
            out.writeByte(i % 10);
        }
        return bytes.toByteArray();
    }

    private static void gzip(Path file, byte[] data) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(data);
        }
    }

    @Test
    void bundledTestSetHasTenThousandLabelledImages() {
        LabeledImages t10k = IdxFiles.locate(List.of(RepoFiles.fashionMnist()));
        assertThat(t10k.count()).isEqualTo(10_000);
        assertThat(t10k.rows()).isEqualTo(28);
        assertThat(t10k.cols()).isEqualTo(28);
        int[] perClass = new int[10];
        for (int i = 0; i < t10k.count(); i++) {
            perClass[t10k.label(i)]++;
        }
        assertThat(perClass).containsOnly(1000);
    }

    @Test
    void rawAndGzipFilesReadAlike(@TempDir Path dir) throws IOException {
        byte[] img = images(0x803, 3, 2, 2, 12);
        byte[] lab = labels(0x801, 3);
        Files.write(dir.resolve("a-images-idx3-ubyte"), img);
        Files.write(dir.resolve("a-labels-idx1-ubyte"), lab);
        gzip(dir.resolve("b-images-idx3-ubyte.gz"), img);
        gzip(dir.resolve("b-labels-idx1-ubyte.gz"), lab);
        LabeledImages raw = IdxFiles.read(dir.resolve("a-images-idx3-ubyte"), dir.resolve("a-labels-idx1-ubyte"));
        LabeledImages gz = IdxFiles.read(dir.resolve("b-images-idx3-ubyte.gz"), dir.resolve("b-labels-idx1-ubyte.gz"));
        assertThat(gz.pixels()).isEqualTo(raw.pixels());
        assertThat(gz.labels()).isEqualTo(raw.labels());
        assertThat(raw.pixels()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    }

    @Test
    void directoryPrefersTheT10kPair(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("train-images-idx3-ubyte"), images(0x803, 2, 1, 1, 2));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), labels(0x801, 2));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), images(0x803, 1, 1, 1, 1));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), labels(0x801, 1));
        assertThat(IdxFiles.locate(List.of(dir)).count()).isEqualTo(1);
    }

    @Test
    void wrongMagicIsAClearError(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("x-images-idx3-ubyte"), images(0x801, 1, 1, 1, 1));
        Files.write(dir.resolve("x-labels-idx1-ubyte"), labels(0x801, 1));
        assertThatThrownBy(() -> IdxFiles.locate(List.of(dir))).isInstanceOf(DataLoadException.class)
                .hasMessageContaining("not an IDX image file").hasMessageContaining("0x801");
        Files.write(dir.resolve("x-labels-idx1-ubyte"), labels(0x803, 1));
        assertThatThrownBy(() -> IdxFiles.locate(List.of(dir))).isInstanceOf(DataLoadException.class)
                .hasMessageContaining("not an IDX label file");
    }

    @Test
    void labelCountMismatchIsAClearError(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("x-images-idx3-ubyte"), images(0x803, 3, 1, 1, 3));
        Files.write(dir.resolve("x-labels-idx1-ubyte"), labels(0x801, 2));
        assertThatThrownBy(() -> IdxFiles.locate(List.of(dir))).isInstanceOf(DataLoadException.class)
                .hasMessageContaining("holds 3 images but").hasMessageContaining("holds 2 labels");
    }

    @Test
    void truncatedDataAndAbsurdHeadersAreClearErrors(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("x-images-idx3-ubyte"), images(0x803, 3, 2, 2, 5));
        Files.write(dir.resolve("x-labels-idx1-ubyte"), labels(0x801, 3));
        assertThatThrownBy(() -> IdxFiles.locate(List.of(dir))).isInstanceOf(DataLoadException.class)
                .hasMessageContaining("truncated");
        Files.write(dir.resolve("x-images-idx3-ubyte"), images(0x803, 3, 1 << 20, 1 << 20, 0));
        assertThatThrownBy(() -> IdxFiles.locate(List.of(dir))).isInstanceOf(DataLoadException.class)
                .hasMessageContaining("invalid header");
    }

    @Test
    void splitIsDeterministicAndPartitions() {
        LabeledImages train = IdxFiles.read(RepoFiles.fashionMnist().resolve("train-images-idx3-ubyte.gz"),
                RepoFiles.fashionMnist().resolve("train-labels-idx1-ubyte.gz"));
        LabeledImages[] a = train.split(0.9, 17);
        LabeledImages[] b = train.split(0.9, 17);
        assertThat(a[0].count()).isEqualTo(5400);
        assertThat(a[1].count()).isEqualTo(600);
        assertThat(a[0].labels()).isEqualTo(b[0].labels());
        assertThat(a[0].pixels()).isEqualTo(b[0].pixels());
        long sum = 0;
        for (LabeledImages part : a) {
            for (int i = 0; i < part.count(); i++) {
                sum += part.label(i);
            }
        }
        long total = 0;
        for (int i = 0; i < train.count(); i++) {
            total += train.label(i);
        }
        assertThat(sum).isEqualTo(total);
    }

    @Test
    void preprocessingDividesThenNormalizes() {
        LabeledImages one = new LabeledImages(1, 1, 3, new byte[] {0, (byte) 255, (byte) 51}, new byte[] {0});
        Tensor unit = Preprocessing.unitScale().batch(one, 0, 1);
        assertThat(unit.shape()).containsExactly(1, 1, 1, 3);
        assertThat(unit.floats()).containsExactly(0f, 1f, 51f / 255f);
        Tensor norm = new Preprocessing(255f, 0.5f, 0.25f).batch(one, 0, 1);
        assertThat(norm.floats()).containsExactly(-2f, 2f, (51f / 255f - 0.5f) / 0.25f);
    }
}
